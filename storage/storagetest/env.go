package storagetest

import (
	"os"
	"testing"
)

// S3Env is the S3-compatible service that tests run against.
type S3Env struct {
	Endpoint  string
	AccessKey string
	SecretKey string
	Region    string
}

// S3FromEnv reads the test service from CUTTLE_TEST_S3_ENDPOINT,
// CUTTLE_TEST_S3_ACCESS_KEY, CUTTLE_TEST_S3_SECRET_KEY and
// CUTTLE_TEST_S3_REGION (default us-east-1). Without an endpoint the test
// is skipped, unless CUTTLE_TEST_REQUIRE_SERVICES=1, where it fails: CI sets
// that so a missing service cannot pass as a green run.
func S3FromEnv(t testing.TB) S3Env {
	t.Helper()
	env := S3Env{
		Endpoint:  os.Getenv("CUTTLE_TEST_S3_ENDPOINT"),
		AccessKey: os.Getenv("CUTTLE_TEST_S3_ACCESS_KEY"),
		SecretKey: os.Getenv("CUTTLE_TEST_S3_SECRET_KEY"),
		Region:    os.Getenv("CUTTLE_TEST_S3_REGION"),
	}
	if env.Endpoint == "" {
		if os.Getenv("CUTTLE_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatal("CUTTLE_TEST_S3_ENDPOINT is not set but CUTTLE_TEST_REQUIRE_SERVICES=1")
		}
		t.Skip("CUTTLE_TEST_S3_ENDPOINT is not set; skipping S3 tests")
	}
	if env.Region == "" {
		env.Region = "us-east-1"
	}
	return env
}
