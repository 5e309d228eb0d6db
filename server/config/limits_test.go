package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestClientSettings(t *testing.T) {
	c := Default()
	path := filepath.Join(t.TempDir(), "cuttle.yaml")
	yaml := "trusted_proxies: [10.0.0.0/8, \"::1\"]\nmetrics_listen: 127.0.0.1:9100\n" +
		"connections:\n  max_per_addr: 32\n  body_min_rate: 2KiB\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := c.LoadFile(path); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CUTTLE_TRUSTED_PROXIES": "192.0.2.10, 2001:db8::/48", "CUTTLE_UPLOAD_BODY_GRACE": "5m"}
	if err := c.LoadEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.TrustedProxies, []string{"192.0.2.10", "2001:db8::/48"}) || c.ClientIPHeader != "X-Forwarded-For" ||
		c.MetricsListen != "127.0.0.1:9100" || c.Connections.MaxPerAddr != 32 || c.Connections.BodyMinRate != 2<<10 ||
		c.Connections.UploadBodyGrace != 5*time.Minute {
		t.Fatalf("config = %+v", c)
	}

	for key, change := range map[string]func(*Config){
		"trusted_proxies":  func(c *Config) { c.TrustedProxies = []string{"10.0.0.0/33"} },
		"client_ip_header": func(c *Config) { c.ClientIPHeader = "X Forwarded" },
		"metrics_listen":   func(c *Config) { c.MetricsListen = "9100" },
		"connections":      func(c *Config) { c.Connections.BodyGrace = 0 },
		"login_failures":   func(c *Config) { c.LoginFailures.Burst = 0 },
	} {
		c := Default()
		change(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s: error %v does not name the key", key, err)
		}
	}
}
