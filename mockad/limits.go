package mockad

import (
	"errors"
	"fmt"
	"time"

	gldap "github.com/glauth/ldap"
	ber "github.com/go-asn1-ber/asn1-ber"
)

// Limits bound what one client can make the LDAP front hold, so a lab on
// a shared network survives slow, idle and hostile clients. The names
// follow AD's LDAP policies (lDAPAdminLimits of the Default Query Policy,
// https://learn.microsoft.com/en-us/troubleshoot/windows-server/active-directory/view-set-ldap-policy-using-ntdsutil);
// where AD's value is documented it is the default, where mockad needs a
// bound AD does not document the default is ours and says so. A zero field
// takes its default; DefaultLimits lists them.
type Limits struct {
	// MaxConnections is how many connections may be open at once over
	// every listener of the Server; a connection past it is closed as soon
	// as it is accepted. AD's MaxConnections is 5000; ours is 500, a lab's
	// size.
	MaxConnections int
	// InitRecvTimeout is how long a connection that has not bound may take
	// to send each complete request (AD's InitRecvTimeout, 120 s).
	InitRecvTimeout time.Duration
	// MaxConnIdleTime is how long a bound connection may take to send its
	// next complete request (AD's MaxConnIdleTime, 900 s). A request that
	// trickles in byte by byte must still arrive within it.
	MaxConnIdleTime time.Duration
	// MaxMessageBeforeBind caps one LDAPMessage before a successful bind
	// (ours: 64 KiB; a simple bind is a few hundred bytes. AD's own pre-bind
	// cap is UNCERTAIN). A bigger one closes the connection.
	MaxMessageBeforeBind int
	// MaxReceiveBuffer caps one LDAPMessage after bind (AD's
	// MaxReceiveBuffer, 10485760 bytes). A bigger one closes the connection.
	MaxReceiveBuffer int
	// MaxResultSetsPerConn is how many unfinished paged searches one
	// connection keeps; a new one past it drops the oldest, whose cookie
	// then gets unwillingToPerform (AD's MaxResultSetsPerConn, 10; what AD
	// does past it is UNCERTAIN).
	MaxResultSetsPerConn int
	// MaxRequestElements caps the BER elements of one request, counted
	// before it is decoded (decoding costs ~100 bytes per element). A search
	// past it gets adminLimitExceeded (11); another operation closes the
	// connection. Ours: 20000 (AD has no such policy; it bounds a query by
	// MaxQueryDuration and MaxTempTableSize).
	MaxRequestElements int
	// MaxFilterNodes caps the items of a search filter (AND/OR/NOT and
	// comparisons); past it: adminLimitExceeded (11). Ours: 5000.
	MaxFilterNodes int
	// MaxFilterBytes caps the encoded size of a search filter; past it:
	// adminLimitExceeded (11). Ours: 1 MiB.
	MaxFilterBytes int
}

// DefaultLimits are the limits of a Server built with zero Limits.
func DefaultLimits() Limits {
	return Limits{
		MaxConnections:       500,
		InitRecvTimeout:      120 * time.Second,
		MaxConnIdleTime:      900 * time.Second,
		MaxMessageBeforeBind: 64 << 10,
		MaxReceiveBuffer:     10485760,
		MaxResultSetsPerConn: 10,
		MaxRequestElements:   20000,
		MaxFilterNodes:       5000,
		MaxFilterBytes:       1 << 20,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	pick := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	pickD := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	pick(&l.MaxConnections, d.MaxConnections)
	pickD(&l.InitRecvTimeout, d.InitRecvTimeout)
	pickD(&l.MaxConnIdleTime, d.MaxConnIdleTime)
	pick(&l.MaxMessageBeforeBind, d.MaxMessageBeforeBind)
	pick(&l.MaxReceiveBuffer, d.MaxReceiveBuffer)
	pick(&l.MaxResultSetsPerConn, d.MaxResultSetsPerConn)
	pick(&l.MaxRequestElements, d.MaxRequestElements)
	pick(&l.MaxFilterNodes, d.MaxFilterNodes)
	pick(&l.MaxFilterBytes, d.MaxFilterBytes)
	return l
}

// diagAdminLimit is the diagnostic of adminLimitExceeded. AD's text for a
// request over an administrative limit is UNCERTAIN; this one names the
// limit so a user sees which one it was.
func diagAdminLimit(what string) string {
	return "00002024: LdapErr: DSID-0C060810, comment: " + what + " exceeds an administrative limit, data 0, v4563"
}

func errAdminLimit(what string) *Error {
	return &Error{Code: gldap.LDAPResultAdminLimitExceeded, Diagnostic: diagAdminLimit(what)}
}

var errTooComplex = errors.New("mockad: request has too many BER elements")

// berElements counts the BER elements of b without decoding them, and
// stops past max. It walks iteratively (ber's own nesting limit guards the
// decoder later).
func berElements(b []byte, max int) (int, error) {
	n := 0
	var ends []int
	for i := 0; i < len(b); {
		for len(ends) > 0 && i >= ends[len(ends)-1] {
			ends = ends[:len(ends)-1]
		}
		if i+2 > len(b) {
			return n, errors.New("mockad: truncated BER element")
		}
		id := b[i]
		j := i + 1
		if id&0x1f == 0x1f { // high tag number form
			for j < len(b) && b[j]&0x80 != 0 {
				j++
			}
			j++
		}
		if j >= len(b) {
			return n, errors.New("mockad: truncated BER element")
		}
		l := int(b[j])
		j++
		if l&0x80 != 0 {
			k := l & 0x7f
			if k == 0 || k > 4 || j+k > len(b) {
				return n, errors.New("mockad: indefinite or oversized BER length")
			}
			l = 0
			for _, x := range b[j : j+k] {
				l = l<<8 | int(x)
			}
			j += k
		}
		if l < 0 || j+l > len(b) {
			return n, errors.New("mockad: BER length past the end of the message")
		}
		n++
		if n > max {
			return n, errTooComplex
		}
		if id&0x20 != 0 { // constructed: walk into it
			ends = append(ends, j+l)
			i = j
		} else {
			i = j + l
		}
	}
	return n, nil
}

// limitSubstitute replaces a search request that is over
// MaxRequestElements by a trivial search with the same messageID (so glauth
// dispatches it without decoding the original), and returns the error the
// handler answers it with. Any other operation over the limit gets a nil
// packet: the connection is closed, as for a message over MaxReceiveBuffer.
func limitSubstitute(raw []byte) ([]byte, *ber.Packet) {
	i, ok := skipHeader(raw, 0)
	if !ok || i >= len(raw) || raw[i] != 0x02 {
		return nil, nil
	}
	j, ok := skipHeader(raw, i)
	if !ok || i+1 >= len(raw) || raw[i+1] >= 0x80 {
		return nil, nil
	}
	idEnd := j + int(raw[i+1])
	if idEnd >= len(raw) || raw[idEnd] != 0x60|opSearchRequest {
		return nil, nil
	}
	id, err := ber.DecodePacketErr(raw[i:idEnd])
	if err != nil {
		return nil, nil
	}
	env := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "LDAPMessage")
	env.AppendChild(reencode(id))
	req := ber.Encode(ber.ClassApplication, ber.TypeConstructed, opSearchRequest, nil, "SearchRequest")
	req.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "", "base"))
	req.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, int64(scopeBase), "scope"))
	req.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, int64(0), "deref"))
	req.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, int64(0), "size"))
	req.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, int64(0), "time"))
	req.AppendChild(ber.NewBoolean(ber.ClassUniversal, ber.TypePrimitive, ber.TagBoolean, false, "typesOnly"))
	present := ber.Encode(ber.ClassContext, ber.TypePrimitive, fPresent, nil, "Present")
	present.Data.WriteString("objectClass")
	req.AppendChild(present)
	req.AppendChild(ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "attributes"))
	env.AppendChild(req)
	out := env.Bytes()
	pkt, err := ber.DecodePacketErr(out)
	if err != nil {
		return nil, nil
	}
	return out, pkt
}

// filterNodes counts the items of a decoded filter.
func filterNodes(f *filter) int {
	n := 1
	for _, c := range f.children {
		n += filterNodes(c)
	}
	return n
}

// checkFilter applies MaxFilterBytes and MaxFilterNodes.
func (l Limits) checkFilter(encoded int, f *filter) *Error {
	if encoded > l.MaxFilterBytes {
		return errAdminLimit(fmt.Sprintf("the filter (%d bytes, MaxFilterBytes %d)", encoded, l.MaxFilterBytes))
	}
	if n := filterNodes(f); n > l.MaxFilterNodes {
		return errAdminLimit(fmt.Sprintf("the filter (%d items, MaxFilterNodes %d)", n, l.MaxFilterNodes))
	}
	return nil
}
