package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"hash"
	"strings"
)

// The JWT headers NacosSignatureAlgorithm knows ({"alg":"HS256"}, ...).
var jwtAlgorithms = map[string]func() hash.Hash{
	"eyJhbGciOiJIUzI1NiJ9": sha256.New,
	"eyJhbGciOiJIUzM4NCJ9": sha512.New384,
	"eyJhbGciOiJIUzUxMiJ9": sha512.New,
}

const hs256Header = "eyJhbGciOiJIUzI1NiJ9"

var b64 = base64.RawURLEncoding

// payload is NacosJwtPayload as Jackson writes it.
type payload struct {
	Sub string `json:"sub"`
	Exp int64  `json:"exp"`
}

func sign(key []byte, header, body string) string {
	m := hmac.New(jwtAlgorithms[header], key)
	m.Write([]byte(header + "." + body))
	return b64.EncodeToString(m.Sum(nil))
}

// newToken is JwtTokenManager.createToken: HS256, sub and exp (seconds).
func newToken(key []byte, user string, exp int64) string {
	b, _ := json.Marshal(payload{Sub: user, Exp: exp})
	body := b64.EncodeToString(b)
	return hs256Header + "." + body + "." + sign(key, hs256Header, body)
}

// parseToken is NacosSignatureAlgorithm.verify: the same checks in the
// same order, with the same messages. now and exp are in seconds.
func parseToken(key []byte, token string, now int64) (user string, exp int64, err error) {
	if strings.TrimSpace(token) == "" {
		return "", 0, denied("user not found!")
	}
	parts := strings.Split(token, ".")
	for len(parts) > 0 && parts[len(parts)-1] == "" { // String.split drops trailing empties
		parts = parts[:len(parts)-1]
	}
	if len(parts) != 3 {
		return "", 0, denied("token invalid!")
	}
	if jwtAlgorithms[parts[0]] == nil {
		return "", 0, denied("unsupported signature algorithm")
	}
	if !hmac.Equal([]byte(sign(key, parts[0], parts[1])), []byte(parts[2])) {
		return "", 0, denied("Invalid signature")
	}
	raw, err := base64.URLEncoding.WithPadding(base64.NoPadding).DecodeString(strings.TrimRight(parts[1], "="))
	var p payload
	if err != nil || json.Unmarshal(raw, &p) != nil {
		return "", 0, denied("token invalid!")
	}
	if p.Exp >= now {
		return p.Sub, p.Exp, nil
	}
	return "", 0, denied("token expired!")
}
