package httpsig

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, header string
		want         Params
	}{
		{"PeerTube's header",
			`keyId="https://a.example/accounts/peertube#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="AAEC"`,
			Params{KeyID: "https://a.example/accounts/peertube#main-key", Algorithm: "rsa-sha256",
				Headers: []string{"(request-target)", "host", "date", "digest"}, Signature: []byte{0, 1, 2}}},
		{"Authorization scheme, spaces, mixed case",
			`Signature keyId="k", algorithm="RSA-SHA256" ,headers="(Request-Target) Host  Date", signature="AAEC"`,
			Params{KeyID: "k", Algorithm: "rsa-sha256", Headers: []string{"(request-target)", "host", "date"}, Signature: []byte{0, 1, 2}}},
		{"no algorithm means hs2019, whose default is (created)",
			`keyId="k",created=1402170695,signature="AAEC"`,
			Params{KeyID: "k", Algorithm: "hs2019", Headers: []string{"(created)"}, Signature: []byte{0, 1, 2}, Created: 1402170695}},
		{"rsa-sha256 without headers means date (C.1)",
			`keyId="Test",algorithm="rsa-sha256",signature="AAEC"`,
			Params{KeyID: "Test", Algorithm: "rsa-sha256", Headers: []string{"date"}, Signature: []byte{0, 1, 2}}},
		{"quoted created and expires, escapes, unknown parameter ignored",
			`keyId="a\"b",created="10",expires="20",ext="x",signature="AAEC"`,
			Params{KeyID: `a"b`, Algorithm: "hs2019", Headers: []string{"(created)"}, Signature: []byte{0, 1, 2}, Created: 10, Expires: 20}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.header)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	huge := `keyId="k",signature="` + strings.Repeat("A", 1<<20) + `"`
	tests := []struct {
		name, header string
		want         error
	}{
		{"empty", "", ErrMalformed},
		{"blank", "   ", ErrMalformed},
		{"scheme only", "Signature ", ErrMalformed},
		{"unquoted keyId", `keyId=k,signature="AAEC"`, ErrMalformed},
		{"unquoted signature", `keyId="k",signature=AAEC`, ErrMalformed},
		{"unterminated quote", `keyId="k,signature="AAEC"`, ErrMalformed},
		{"missing keyId", `algorithm="rsa-sha256",signature="AAEC"`, ErrMalformed},
		{"empty keyId", `keyId="",signature="AAEC"`, ErrMalformed},
		{"missing signature", `keyId="k",algorithm="rsa-sha256"`, ErrMalformed},
		{"duplicated keyId", `keyId="a",keyId="b",signature="AAEC"`, ErrMalformed},
		{"duplicated signature", `keyId="a",signature="AAEC",signature="AAEC"`, ErrMalformed},
		{"duplicated unknown parameter", `keyId="a",x="1",x="2",signature="AAEC"`, ErrMalformed},
		{"non-base64 signature", `keyId="k",signature="not*base64"`, ErrMalformed},
		{"base64 with bad padding", `keyId="k",signature="AAE"`, ErrMalformed},
		{"megabyte-long value", huge, ErrMalformed},
		{"no value", `keyId,signature="AAEC"`, ErrMalformed},
		{"empty value", `keyId=,signature="AAEC"`, ErrMalformed},
		{"trailing comma", `keyId="k",signature="AAEC",`, ErrMalformed},
		{"garbage after a value", `keyId="k" x,signature="AAEC"`, ErrMalformed},
		{"control character", "keyId=\"k\x00\",signature=\"AAEC\"", ErrMalformed},
		{"empty headers", `keyId="k",headers="",signature="AAEC"`, ErrMalformed},
		{"header listed twice", `keyId="k",headers="date date",signature="AAEC"`, ErrMalformed},
		{"header name with a colon", `keyId="k",headers="date: x",signature="AAEC"`, ErrMalformed},
		{"too many headers", `keyId="k",headers="` + manyHeaders(40) + `",signature="AAEC"`, ErrMalformed},
		{"created not a number", `keyId="k",created=soon,signature="AAEC"`, ErrMalformed},
		{"created negative", `keyId="k",created=-5,signature="AAEC"`, ErrMalformed},
		{"hmac-sha256", `keyId="k",algorithm="hmac-sha256",signature="AAEC"`, ErrUnsupportedAlgorithm},
		{"ecdsa-sha256", `keyId="k",algorithm="ecdsa-sha256",signature="AAEC"`, ErrUnsupportedAlgorithm},
		{"rsa-sha1", `keyId="k",algorithm="rsa-sha1",signature="AAEC"`, ErrUnsupportedAlgorithm},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.header)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse: %v, want %v", err, tt.want)
			}
			if len(err.Error()) > 300 {
				t.Errorf("error of %d bytes echoes the input", len(err.Error()))
			}
		})
	}
}

func manyHeaders(n int) string {
	names := make([]string, n)
	for i := range names {
		names[i] = "x-h" + strings.Repeat("a", i)
	}
	return strings.Join(names, " ")
}

// FuzzParse holds Parse to its contract on any input: an error or
// parameters that are complete.
func FuzzParse(f *testing.F) {
	f.Add(`keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date",signature="AAEC"`)
	f.Add(`Signature keyId="a\"b",created=1,signature="AAEC"`)
	f.Fuzz(func(t *testing.T, header string) {
		p, err := Parse(header)
		if err != nil {
			return
		}
		if p.KeyID == "" || len(p.Signature) == 0 || len(p.Headers) == 0 || len(p.Headers) > maxSignedHeaders {
			t.Errorf("incomplete parameters accepted: %+v", p)
		}
		if p.Algorithm != AlgorithmRSASHA256 && p.Algorithm != AlgorithmHS2019 {
			t.Errorf("algorithm %q accepted", p.Algorithm)
		}
	})
}

func TestKeysPEM(t *testing.T) {
	key, _ := generated(t)
	if key.N.BitLen() != KeyBits {
		t.Errorf("generated %d bits", key.N.BitLen())
	}
	privPEM, err := EncodePrivateKeyPEM(key)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM, err := EncodePublicKeyPEM(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(pubPEM, "-----BEGIN PUBLIC KEY-----\n") {
		t.Errorf("public key is not PKIX PEM: %.40s", pubPEM)
	}
	priv, err := ParsePrivateKeyPEM(privPEM)
	if err != nil || !priv.Equal(key) {
		t.Fatalf("private key round trip: %v", err)
	}
	pub, err := ParsePublicKeyPEM(pubPEM)
	if err != nil || !pub.Equal(&key.PublicKey) {
		t.Fatalf("public key round trip: %v", err)
	}

	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&key.PublicKey)}))
	if pub, err := ParsePublicKeyPEM(pkcs1); err != nil || !pub.Equal(&key.PublicKey) {
		t.Errorf("PKCS#1 public key: %v", err)
	}
	// Actors' JSON may carry the PEM with CRLF line ends.
	if pub, err := ParsePublicKeyPEM(strings.ReplaceAll(pubPEM, "\n", "\r\n")); err != nil || !pub.Equal(&key.PublicKey) {
		t.Errorf("CRLF public key: %v", err)
	}
	testPriv, testPub := testKeys(t)
	if !testPriv.PublicKey.Equal(testPub) {
		t.Error("the draft's test keys do not match")
	}
}

func TestKeysPEMRefuses(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	ecPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: ecDER}))
	tests := []struct {
		name, pem string
	}{
		{"empty", ""},
		{"not PEM", "ssh-rsa AAAAB3NzaC1yc2E"},
		{"a certificate block", "-----BEGIN CERTIFICATE-----\nAAEC\n-----END CERTIFICATE-----\n"},
		{"corrupt key", "-----BEGIN PUBLIC KEY-----\nAAEC\n-----END PUBLIC KEY-----\n"},
		{"an EC key", ecPEM},
		{"huge", testPublicPEM + strings.Repeat("x", 1<<20)},
		{"a private key where a public one is due", testPrivatePEM},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParsePublicKeyPEM(tt.pem); err == nil {
				t.Error("accepted")
			}
		})
	}
	if _, err := ParsePrivateKeyPEM(testPublicPEM); err == nil {
		t.Error("a public key accepted as private")
	}
}
