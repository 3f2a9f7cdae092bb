package confighttp

import (
	"errors"
	"strconv"
	"strings"

	"github.com/mocknacos/mocknacos/internal/config"
)

// The Listening-Configs separators (Constants.WORD_SEPARATOR and
// LINE_SEPARATOR, section 4.5).
const (
	wordSep = "\x02"
	lineSep = "\x01"
)

var errProbe = errors.New("invalid probeModify")

// parseProbes is MD5Util.getClientMd5Map: records "dataId^Bgroup^Bmd5^A" or
// "dataId^Bgroup^Bmd5^Btenant^A"; text after the last ^A is ignored; more
// than three ^B in a record, a record with fewer than two, or more than
// 10000 keys is an error. A key seen twice keeps the last md5 and its first
// place.
func parseProbes(s string) ([]config.Probe, error) {
	var out []config.Probe
	index := map[config.Watch]int{}
	var words []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case wordSep[0]:
			words = append(words, s[start:i])
			start = i + 1
			if len(words) > 3 {
				return nil, errProbe
			}
		case lineSep[0]:
			end := s[start:i]
			start = i + 1
			var p config.Probe
			switch len(words) {
			case 2:
				p = config.Probe{Watch: config.Watch{DataID: words[0], Group: words[1]}, MD5: end}
			case 3:
				p = config.Probe{Watch: config.Watch{DataID: words[0], Group: words[1], Tenant: end}, MD5: words[2]}
			default: // IndexOutOfBounds in the real parser
				return nil, errProbe
			}
			words = words[:0]
			if at, ok := index[p.Watch]; ok {
				out[at].MD5 = p.MD5
			} else {
				index[p.Watch] = len(out)
				out = append(out, p)
			}
			if len(out) > 10000 {
				return nil, errProbe
			}
		}
	}
	return out, nil
}

// changedString is MD5Util.compareMd5ResultString: "dataId^Bgroup[^Btenant]^A"
// per key, URL-encoded as Java's URLEncoder does.
func changedString(ws []config.Watch) string {
	var b strings.Builder
	for _, w := range ws {
		b.WriteString(w.DataID + wordSep + w.Group)
		if t := config.Spelling(w.Tenant); strings.TrimSpace(t) != "" {
			b.WriteString(wordSep + t)
		}
		b.WriteString(lineSep)
	}
	return javaURLEncode(b.String())
}

// oldChangedString is MD5Util.compareMd5OldResult: "dataId:group;" per key.
func oldChangedString(ws []config.Watch) string {
	var b strings.Builder
	for _, w := range ws {
		b.WriteString(w.DataID + ":" + w.Group + ";")
	}
	return b.String()
}

// javaURLEncode is URLEncoder.encode(s, "UTF-8"): letters, digits and
// . - * _ stay, space is +, every other byte is %XX (upper case).
func javaURLEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '-', c == '*', c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// javaURLDecode is URLDecoder.decode(s, "UTF-8") with its error messages
// (those of a Java 17 runtime).
func javaURLDecode(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); {
		switch c := s[i]; c {
		case '+':
			b.WriteByte(' ')
			i++
		case '%':
			for i+2 < len(s) && s[i] == '%' {
				v, err := javaHexByte(s[i+1 : i+3])
				if err != nil {
					return "", err
				}
				b.WriteByte(v)
				i += 3
			}
			if i < len(s) && s[i] == '%' {
				return "", errors.New("URLDecoder: Incomplete trailing escape (%) pattern")
			}
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), nil
}

// javaHexByte is Integer.parseInt(s, i+1, i+3, 16) as URLDecoder uses it: a
// sign is allowed, a negative value is refused.
func javaHexByte(h string) (byte, error) {
	illegal := "URLDecoder: Illegal hex characters in escape (%) pattern - "
	neg, from := false, 0
	if h[0] == '-' || h[0] == '+' {
		neg, from = h[0] == '-', 1
	}
	for j := from; j < len(h); j++ {
		if !strings.ContainsRune("0123456789abcdefABCDEF", rune(h[j])) {
			return 0, errors.New(illegal + "Error at index " + strconv.Itoa(j) + ` in: "` + h + `"`)
		}
	}
	v, _ := strconv.ParseUint(h[from:], 16, 8)
	if neg && v != 0 {
		return 0, errors.New(illegal + "negative value")
	}
	return byte(v), nil
}

// javaSplit is String.split on a one-character separator: trailing empty
// strings are dropped, and an empty input is one empty string.
func javaSplit(s, sep string) []string {
	if s == "" {
		return []string{""}
	}
	parts := strings.Split(s, sep)
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return parts
}

func itoa(n int) string { return strconv.Itoa(n) }
