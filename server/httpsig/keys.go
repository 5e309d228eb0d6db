package httpsig

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// KeyBits is the size of the keys we generate, PeerTube's
// PRIVATE_RSA_KEY_SIZE.
const KeyBits = 2048

// maxPEMLen bounds a published key: a 4096-bit public key is under 1 KiB
// of PEM, so anything far larger is not a key worth parsing.
const maxPEMLen = 16 << 10

// GenerateKey makes an actor's key pair.
func GenerateKey() (*rsa.PrivateKey, error) {
	key, err := rsa.GenerateKey(rand.Reader, KeyBits)
	if err != nil {
		return nil, fmt.Errorf("httpsig: generate key: %w", err)
	}
	return key, nil
}

// EncodePrivateKeyPEM encodes key as a PKCS#8 "PRIVATE KEY" block.
func EncodePrivateKeyPEM(key *rsa.PrivateKey) (string, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", fmt.Errorf("httpsig: encode private key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
}

// EncodePublicKeyPEM encodes key as a PKIX "PUBLIC KEY" block, the form
// PeerTube and Mastodon publish in an actor's publicKeyPem.
func EncodePublicKeyPEM(key *rsa.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		return "", fmt.Errorf("httpsig: encode public key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
}

// ParsePrivateKeyPEM reads a key EncodePrivateKeyPEM wrote, or a PKCS#1
// "RSA PRIVATE KEY" block.
func ParsePrivateKeyPEM(data string) (*rsa.PrivateKey, error) {
	block, err := decodePEM(data)
	if err != nil {
		return nil, err
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("httpsig: parse private key: %w", err)
		}
		return key, nil
	case "PRIVATE KEY":
		key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("httpsig: parse private key: %w", err)
		}
		rsaKey, ok := key.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("httpsig: private key is %T, not RSA", key)
		}
		return rsaKey, nil
	}
	return nil, fmt.Errorf("httpsig: PEM block %q is not a private key", block.Type)
}

// ParsePublicKeyPEM reads an actor's publicKeyPem: a PKIX "PUBLIC KEY"
// block, as PeerTube and Mastodon publish, or a PKCS#1 "RSA PUBLIC KEY"
// block, which some older servers do.
func ParsePublicKeyPEM(data string) (*rsa.PublicKey, error) {
	block, err := decodePEM(data)
	if err != nil {
		return nil, err
	}
	switch block.Type {
	case "RSA PUBLIC KEY":
		key, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("httpsig: parse public key: %w", err)
		}
		return key, nil
	case "PUBLIC KEY":
		key, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("httpsig: parse public key: %w", err)
		}
		rsaKey, ok := key.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("httpsig: public key is %T, not RSA", key)
		}
		return rsaKey, nil
	}
	return nil, fmt.Errorf("httpsig: PEM block %q is not a public key", block.Type)
}

func decodePEM(data string) (*pem.Block, error) {
	if len(data) > maxPEMLen {
		return nil, fmt.Errorf("httpsig: PEM of %d bytes, more than %d", len(data), maxPEMLen)
	}
	block, _ := pem.Decode([]byte(data))
	if block == nil {
		return nil, errors.New("httpsig: no PEM block")
	}
	return block, nil
}
