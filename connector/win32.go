package connector

import (
	"errors"
	"fmt"
	"strconv"
)

// Win32 error codes the connector reports ([DOC] MS-ERREF 2.2).
const (
	ErrorSuccess                    uint32 = 0
	ErrorFileNotFound               uint32 = 2
	ErrorAccessDenied               uint32 = 5
	ErrorNotEnoughMemory            uint32 = 8
	ErrorDevNotExist                uint32 = 55
	ErrorBadNetResp                 uint32 = 58
	ErrorUnexpNetErr                uint32 = 59
	ErrorInvalidParameter           uint32 = 87
	ErrorOpenFailed                 uint32 = 110
	ErrorInsufficientBuffer         uint32 = 122
	ErrorInvalidName                uint32 = 123
	ErrorInvalidLevel               uint32 = 124
	ErrorBusy                       uint32 = 170
	ErrorAlreadyExists              uint32 = 183
	ErrorMoreData                   uint32 = 234
	ErrorCanNotComplete             uint32 = 1003
	ErrorServiceRequestTimeout      uint32 = 1053
	ErrorNotFound                   uint32 = 1168
	ErrorInvalidComputerName        uint32 = 1210
	ErrorCancelled                  uint32 = 1223
	ErrorConnectionRefused          uint32 = 1225
	ErrorUserExists                 uint32 = 1316
	ErrorWrongPassword              uint32 = 1323
	ErrorNoSuchDomain               uint32 = 1355
	ErrorTimeout                    uint32 = 1460
	ErrorNotEnoughQuota             uint32 = 1816
	ErrorDSObjStringNameExists      uint32 = 8305
	ErrorDSObjNotFound              uint32 = 8333
	ErrorDSGenericError             uint32 = 8341
	ErrorDSInsuffAccessRights       uint32 = 8344
	ErrorDSSortControlMissing       uint32 = 8261
	ErrorDSOffsetRangeError         uint32 = 8262
	ErrorDSMachineAccountQuotaExced uint32 = 8557
)

// ErrNoDiagnosticCode is returned by ParseDiagnostic when the message does
// not start with an AD extended error.
var ErrNoDiagnosticCode = errors.New("connector: diagnostic message has no leading Win32 code")

// ParseDiagnostic extracts the Win32 code from an AD diagnosticMessage such
// as "0000216D: SvcErr: DSID-031A124C, problem 5003 (WILL_NOT_PERFORM), data
// 0". AD's format is exactly eight hex digits and a colon (rules-and-ad.md
// B.5; NetpMapGetLdapExtendedError parses the same prefix). Anything else —
// fewer or more digits, no colon, leading space, Samba's unprefixed texts
// such as "acl: …", glauth's plain result names such as "Unwilling To
// Perform" — is ErrNoDiagnosticCode.
func ParseDiagnostic(msg string) (uint32, error) {
	if len(msg) < 9 || msg[8] != ':' {
		return 0, ErrNoDiagnosticCode
	}
	for i := 0; i < 8; i++ {
		if !isHex(msg[i]) {
			return 0, ErrNoDiagnosticCode
		}
	}
	v, err := strconv.ParseUint(msg[:8], 16, 32)
	if err != nil { // unreachable after the digit check; kept for safety
		return 0, ErrNoDiagnosticCode
	}
	return uint32(v), nil
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

// LDAP result codes used below (RFC 4511 and the Windows client codes of
// winldap.h for 81–95).
const (
	ldapInsufficientAccessRights = 50
	ldapServerDown               = 81
)

// LdapToWin32 is wldap32's LdapMapErrorToWin32: the closest Win32 code for an
// LDAP result code. [CODE] read from a public copy of the wldap32 source
// (LdapMapErrorToWin32's switch); codes it does not list map to
// ERROR_DS_GENERIC_ERROR as there. go-ldap's client-side codes, which
// ldapclient reports too (200 and up: network, unexpected response, …),
// are treated as LDAP_SERVER_DOWN [INF].
func LdapToWin32(resultCode uint16) uint32 {
	if resultCode >= 200 {
		resultCode = ldapServerDown
	}
	switch resultCode {
	case 0:
		return ErrorSuccess
	case 11: // adminLimitExceeded
		return ErrorNotEnoughQuota
	case 1: // operationsError
		return ErrorOpenFailed
	case 2: // protocolError
		return ErrorInvalidLevel
	case 3: // timeLimitExceeded
		return ErrorTimeout
	case 4, 9, 10, 94, 95: // sizeLimitExceeded, partialResults, referral, no results, more results
		return ErrorMoreData
	case 7, 8, 48, 50, 67, 69: // authMethodNotSupported, strongAuthRequired, inappropriateAuthentication, insufficientAccessRights, notAllowedOnRDN, objectClassModsProhibited
		return ErrorAccessDenied
	case 21: // invalidAttributeSyntax
		return ErrorInvalidName
	case 32: // noSuchObject
		return ErrorFileNotFound
	case 34, 64, 65, 87, 89, 19, 16, 18: // invalidDNSyntax, namingViolation, objectClassViolation, filter error, param error, constraintViolation, noSuchAttribute, inappropriateMatching
		return ErrorInvalidParameter
	case 49, 86: // invalidCredentials, auth unknown
		return ErrorWrongPassword
	case 51: // busy
		return ErrorBusy
	case 52: // unavailable
		return ErrorDevNotExist
	case 53, 12, 66, 92, 71: // unwillingToPerform, unavailableCriticalExtension, notAllowedOnNonLeaf, not supported, affectsMultipleDSAs
		return ErrorCanNotComplete
	case 60:
		return ErrorDSSortControlMissing
	case 61:
		return ErrorDSOffsetRangeError
	case 68, 20: // entryAlreadyExists, attributeOrValueExists
		return ErrorAlreadyExists
	case 70: // results too large
		return ErrorInsufficientBuffer
	case 81: // server down
		return ErrorBadNetResp
	case 83, 84: // encoding, decoding
		return ErrorUnexpNetErr
	case 85: // timeout
		return ErrorServiceRequestTimeout
	case 88: // user cancelled
		return ErrorCancelled
	case 90: // no memory
		return ErrorNotEnoughMemory
	case 91: // connect error
		return ErrorConnectionRefused
	case 93: // control not found
		return ErrorNotFound
	default: // 80 other, 82 local error, 5/6 compare, 17, 33, 35, 36, 54, unknown
		return ErrorDSGenericError
	}
}

// Win32Error is the code NetProvisionComputerAccount would return for an LDAP
// failure, as the connector reports it in event 30132's ErrorCode:
//
//  1. insufficientAccessRights (50) is ERROR_ACCESS_DENIED (5) whatever the
//     extended error says: the documented 30132 sample for a missing
//     delegation (F8) carries ErrorCode 5 ([DOC] S10), although AD's
//     diagnostic for 50 starts with 00002098 (8344). Which of the two the
//     real stack surfaces is UNCERTAIN; 5 follows the only documented sample.
//  2. Otherwise the AD diagnostic's leading hex, when present and not zero
//     (rules-and-ad.md B.5: e.g. 0000216D → 8557 for the quota, F9).
//  3. Otherwise LdapToWin32 of the result code.
func Win32Error(resultCode uint16, diagnostic string) uint32 {
	if resultCode == ldapInsufficientAccessRights {
		return ErrorAccessDenied
	}
	if code, err := ParseDiagnostic(diagnostic); err == nil && code != 0 {
		return code
	}
	return LdapToWin32(resultCode)
}

// win32Names gives the symbolic name and message of the codes the connector
// is expected to meet, for event text ([DOC] MS-ERREF; 8557's text from
// rules-and-ad.md B.4 / S41).
var win32Names = map[uint32][2]string{
	ErrorAccessDenied:               {"ERROR_ACCESS_DENIED", "Access is denied."},
	ErrorFileNotFound:               {"ERROR_FILE_NOT_FOUND", "The system cannot find the file specified."},
	ErrorInvalidParameter:           {"ERROR_INVALID_PARAMETER", "The parameter is incorrect."},
	ErrorAlreadyExists:              {"ERROR_ALREADY_EXISTS", "Cannot create a file when that file already exists."},
	ErrorCanNotComplete:             {"ERROR_CAN_NOT_COMPLETE", "Cannot complete this function."},
	ErrorWrongPassword:              {"ERROR_WRONG_PASSWORD", "Unable to update the password. The value provided as the current password is incorrect."},
	ErrorBadNetResp:                 {"ERROR_BAD_NET_RESP", "The specified server cannot perform the requested operation."},
	ErrorInvalidComputerName:        {"ERROR_INVALID_COMPUTERNAME", "The format of the specified computer name is invalid."},
	ErrorUserExists:                 {"ERROR_USER_EXISTS", "The specified account already exists."},
	ErrorNoSuchDomain:               {"ERROR_NO_SUCH_DOMAIN", "The specified domain either does not exist or could not be contacted."},
	ErrorDSObjStringNameExists:      {"ERROR_DS_OBJ_STRING_NAME_EXISTS", "The object already exists."},
	ErrorDSObjNotFound:              {"ERROR_DS_OBJ_NOT_FOUND", "Directory object not found."},
	ErrorDSInsuffAccessRights:       {"ERROR_DS_INSUFF_ACCESS_RIGHTS", "Insufficient access rights to perform the operation."},
	ErrorDSGenericError:             {"ERROR_DS_GENERIC_ERROR", "A directory service error has occurred."},
	ErrorDSMachineAccountQuotaExced: {"ERROR_DS_MACHINE_ACCOUNT_QUOTA_EXCEEDED", "Your computer could not be joined to the domain. You have exceeded the maximum number of computer accounts you are allowed to create in this domain. Contact your system administrator to have this limit reset or increased."},
}

// Win32Message is the system message for code, or a generic text naming the
// code when it is not in the connector's table.
func Win32Message(code uint32) string {
	if m, ok := win32Names[code]; ok {
		return m[1]
	}
	return fmt.Sprintf("Win32 error %d (0x%08X).", code, code)
}
