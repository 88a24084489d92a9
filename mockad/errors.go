package mockad

import (
	"fmt"

	gldap "github.com/glauth/ldap"
)

// Error is an LDAP failure as AD reports it: the result code, AD's
// diagnosticMessage (whose first 8 hex digits are the Win32 code that
// NetpMapGetLdapExtendedError parses, rules-and-ad.md B.5) and, for
// noSuchObject, the matchedDN. Directory methods return it (wrapped) so
// callers can use errors.As.
type Error struct {
	Code       gldap.LDAPResultCode
	Diagnostic string
	MatchedDN  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("LDAP Result Code %d %q: %s", e.Code, gldap.LDAPResultCodeMap[e.Code], e.Diagnostic)
}

// The diagnostic strings below copy the examples in rules-and-ad.md B.5 (DSIDs
// are opaque and differ between builds). Where B.5 says the AD text is
// UNCERTAIN the string is our best guess in AD's format and says so.

const (
	diagQuota        = "0000216D: SvcErr: DSID-031A124C, problem 5003 (WILL_NOT_PERFORM), data 0"                                                                            // B.5 [B3]
	diagInsuff       = "00002098: SecErr: DSID-03150F93, problem 4003 (INSUFF_ACCESS_RIGHTS), data 0"                                                                        // B.5 [B9]
	diagEntryExists  = "00002071: UpdErr: DSID-030503CF, problem 6005 (ENTRY_EXISTS), data 0"                                                                                // B.5 [B9 ldapjs #898]
	diagUserExists   = "00000524: UpdErr: DSID-031A1261, problem 6005 (ENTRY_EXISTS), data 0"                                                                                // B.5 [B9 rapid7 #840]
	diagObjClass     = "0000207B: UpdErr: DSID-030515C6, problem 6002 (OBJ_CLASS_VIOLATION), data 0"                                                                         // B.5 [B9 lsc #400]
	diagAccountName  = "00000523: SysErr: DSID-031A1260, problem 22 (Invalid argument), data 0"                                                                              // B.5 [B9 noPac #18]; LDAP code UNCERTAIN
	diagNonLeaf      = "0000208C: UpdErr: DSID-03150E49, problem 6003 (CANT_ON_NON_LEAF), data 0"                                                                            // code per docs/SOURCES.md B.5; DSID invented
	diagNotOnRDN     = "000020B1: UpdErr: DSID-030F1BC9, problem 6004 (CANT_ON_RDN), data 0"                                                                                 // UNCERTAIN text
	diagNeedBind     = "000004DC: LdapErr: DSID-0C090A5C, comment: In order to perform this operation a successful bind must be completed on the connection., data 0, v4563" // AD's well-known text (INFER)
	diagUndefinedAtt = "00000057: LdapErr: DSID-0C090D8A, comment: Error in attribute conversion operation, data 0, v4563"                                                   // UNCERTAIN (B.5: AD believed 17)
	diagCritControl  = "00000057: LdapErr: DSID-0C090A1F, comment: Error processing control, data 0, v4563"                                                                  // UNCERTAIN
	diagBadPwdFormat = "00000057: LdapErr: DSID-0C090D8A, comment: Error in attribute conversion operation, data 0, v4563"                                                   // unicodePwd not a quoted UTF-16LE string (UNCERTAIN)
)

// bindDiag is AD's invalidCredentials text; data is the NTSTATUS-derived
// sub-code (52e bad user or password, 533 account disabled) [B9].
func bindDiag(data string) string {
	return "80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data " + data + ", v4563"
}

func errQuota() *Error {
	return &Error{Code: gldap.LDAPResultUnwillingToPerform, Diagnostic: diagQuota}
}
func errInsuff() *Error {
	return &Error{Code: gldap.LDAPResultInsufficientAccessRights, Diagnostic: diagInsuff}
}
func errEntryExists() *Error {
	return &Error{Code: gldap.LDAPResultEntryAlreadyExists, Diagnostic: diagEntryExists}
}
func errUserExists() *Error {
	return &Error{Code: gldap.LDAPResultEntryAlreadyExists, Diagnostic: diagUserExists}
}
func errObjClass() *Error {
	return &Error{Code: gldap.LDAPResultObjectClassViolation, Diagnostic: diagObjClass}
}
func errAccountName() *Error {
	return &Error{Code: gldap.LDAPResultUnwillingToPerform, Diagnostic: diagAccountName}
}
func errNonLeaf() *Error {
	return &Error{Code: gldap.LDAPResultNotAllowedOnNonLeaf, Diagnostic: diagNonLeaf}
}
func errNotOnRDN() *Error {
	return &Error{Code: gldap.LDAPResultNotAllowedOnRDN, Diagnostic: diagNotOnRDN}
}
func errNeedBind() *Error {
	return &Error{Code: gldap.LDAPResultOperationsError, Diagnostic: diagNeedBind}
}
func errUndefinedAttr() *Error {
	return &Error{Code: gldap.LDAPResultUndefinedAttributeType, Diagnostic: diagUndefinedAtt}
}
func errBadPassword() *Error {
	return &Error{Code: gldap.LDAPResultConstraintViolation, Diagnostic: diagBadPwdFormat}
}
func errBind(data string) *Error {
	return &Error{Code: gldap.LDAPResultInvalidCredentials, Diagnostic: bindDiag(data)}
}

// errNoObject is noSuchObject with AD's "best match" extra and matchedDN (B.5 [B9 krbrelayx #59]).
func errNoObject(best string) *Error {
	return &Error{
		Code:       gldap.LDAPResultNoSuchObject,
		Diagnostic: "0000208D: NameErr: DSID-03100245, problem 2001 (NO_OBJECT), data 0, best match of:\n\t'" + best + "'",
		MatchedDN:  best,
	}
}

// errInvalidDN is invalidDNSyntax; AD's text is UNCERTAIN (B.5, B.12 #1).
func errInvalidDN(best string) *Error {
	return &Error{
		Code:       gldap.LDAPResultInvalidDNSyntax,
		Diagnostic: "0000208F: NameErr: DSID-03100225, problem 2006 (BAD_NAME_SYNTAX), data 8350, best match of:\n\t'" + best + "'",
	}
}

// errNaming is namingViolation for a wrong RDN type (ERROR_DS_RDN_DOESNT_MATCH_SCHEMA
// 0x2073) or an illegal superior (0x2099). AD's text is UNCERTAIN (B.5).
func errNaming(win32 uint32, best string) *Error {
	return &Error{
		Code:       gldap.LDAPResultNamingViolation,
		Diagnostic: fmt.Sprintf("%08X: NameErr: DSID-0305109C, problem 2005 (NAMING_VIOLATION), data 0, best match of:\n\t'%s'", win32, best),
	}
}

// errAtt builds AD's attribute-error format (B.5: the dNSHostName example):
// `0000200B: AtrErr: DSID-033E0F1B, #1:\n\t0: 0000200B: DSID-033E0F1B, problem 1005 (CONSTRAINT_ATT_TYPE), data 0, Att 9026b (dNSHostName)`.
func errAtt(code gldap.LDAPResultCode, win32 uint32, problem string, attr string) *Error {
	id, name := attrID(attr)
	return &Error{
		Code: code,
		Diagnostic: fmt.Sprintf("%08X: AtrErr: DSID-033E0F1B, #1:\n\t0: %08X: DSID-033E0F1B, problem %s, data 0, Att %s (%s)",
			win32, win32, problem, id, name),
	}
}

func errConstraint(attr string) *Error {
	// 0x200B ERROR_DS_INVALID_ATTRIBUTE_SYNTAX is what B.5 quotes for the
	// dNSHostName validated write; reused for other constraint failures (UNCERTAIN).
	return errAtt(gldap.LDAPResultConstraintViolation, 0x200B, "1005 (CONSTRAINT_ATT_TYPE)", attr)
}

func errSPNNotUnique() *Error {
	// ERROR_DS_SPN_VALUE_NOT_UNIQUE_IN_FOREST 0x21C7 (B.5); text UNCERTAIN.
	return errAtt(gldap.LDAPResultConstraintViolation, 0x21C7, "1005 (CONSTRAINT_ATT_TYPE)", "servicePrincipalName")
}

func errAttExists(attr string) *Error {
	return errAtt(gldap.LDAPResultAttributeOrValueExists, 0x2083, "1006 (ATT_OR_VALUE_EXISTS)", attr)
}

func errNoSuchAttr(attr string) *Error {
	return errAtt(gldap.LDAPResultNoSuchAttribute, 0x2080, "1001 (NO_ATTRIBUTE_OR_VAL)", attr)
}

func errSystemOnly(attr string) *Error {
	// ERROR_DS_CANT_MOD_SYSTEM_ONLY 0x209A reported as constraintViolation (UNCERTAIN).
	return errAtt(gldap.LDAPResultConstraintViolation, 0x209A, "1005 (CONSTRAINT_ATT_TYPE)", attr)
}

func errCritControl() *Error {
	return &Error{Code: gldap.LDAPResultUnavailableCriticalExtension, Diagnostic: diagCritControl}
}
