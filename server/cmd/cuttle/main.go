// Command cuttle runs the Cuttle video platform server and its admin
// commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"cuttle.video/server/accounts"
	"cuttle.video/server/app"
	"cuttle.video/server/auth"
	"cuttle.video/server/config"
	"cuttle.video/server/database"
	"cuttle.video/server/version"
)

const usage = `Usage:
  cuttle serve [flags]                      run the server
  cuttle admin create-user [flags]          create a user
  cuttle admin reset-password [flags]       set a user's password
  cuttle version                            print the version

Settings come from defaults, then --config FILE (YAML), then CUTTLE_*
environment variables, then flags. Run a command with -h for its flags.
`

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "cuttle:", err)
		}
		os.Exit(2)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("missing command")
	}
	switch {
	case args[0] == "serve":
		return serve(args[1:], stdout, stderr)
	case len(args) > 1 && args[0] == "admin" && args[1] == "create-user":
		return createUser(args[2:], stdout, stderr)
	case len(args) > 1 && args[0] == "admin" && args[1] == "reset-password":
		return resetPassword(args[2:], stdout, stderr)
	case args[0] == "version":
		fmt.Fprintln(stdout, version.Number())
		return nil
	case args[0] == "-h" || args[0] == "--help" || args[0] == "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}

// configFlags registers the flags shared by every command and returns a
// function that builds the layered, validated configuration.
func configFlags(fs *flag.FlagSet) func() (config.Config, error) {
	file := fs.String("config", "", "YAML configuration `file`")
	listen := fs.String("listen", "", "HTTP listen `address` (CUTTLE_LISTEN, default 127.0.0.1:9000)")
	data := fs.String("data", "", "data `directory` (CUTTLE_DATA_DIR, default ./data)")
	publicURL := fs.String("public-url", "", "public base `URL` (CUTTLE_PUBLIC_URL, default from --listen)")
	dbURL := fs.String("database-url", "", "PostgreSQL `URL` (CUTTLE_DATABASE_URL, default: SQLite in the data directory)")
	logLevel := fs.String("log-level", "", "debug, info, warn or error (CUTTLE_LOG_LEVEL)")
	return func() (config.Config, error) {
		cfg := config.Default()
		if *file != "" {
			if err := cfg.LoadFile(*file); err != nil {
				return cfg, err
			}
		}
		if err := cfg.LoadEnv(os.LookupEnv); err != nil {
			return cfg, err
		}
		fs.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "listen":
				cfg.Listen = *listen
			case "data":
				cfg.DataDir = *data
			case "public-url":
				cfg.PublicURL = *publicURL
			case "database-url":
				cfg.DatabaseURL = *dbURL
			case "log-level":
				cfg.LogLevel = *logLevel
			}
		})
		return cfg, cfg.Validate()
	}
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func serve(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cuttle serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	load := configFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := load()
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	a, err := app.New(ctx, cfg, log, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	// Start-up work (migrations, hashing the first admin's password) leaves
	// garbage an idle server would otherwise keep mapped for minutes.
	debug.FreeOSMemory()
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	fmt.Fprintf(stdout, "Cuttle is running at %s\n", cfg.PublicURL)
	switch {
	case a.RootPassword != "":
		fmt.Fprintf(stdout, "Admin login: %s / %s  (generated now and shown only once)\n", accounts.RootUsername, a.RootPassword)
	case a.RootCreated:
		fmt.Fprintf(stdout, "Admin login: %s with the password from CUTTLE_ADMIN_PASSWORD\n", accounts.RootUsername)
	default:
		fmt.Fprintf(stdout, "Admin login: %s (password shown at first start; change it with `cuttle admin reset-password --username %s`)\n",
			accounts.RootUsername, accounts.RootUsername)
	}
	log.Info("listening", "addr", ln.Addr().String(), "public_url", cfg.PublicURL, "data_dir", cfg.DataDir,
		"database", map[bool]string{true: "postgresql", false: "sqlite"}[cfg.DatabaseURL != ""],
		"media", map[bool]string{true: "s3", false: "local"}[cfg.S3.Enabled()])
	return a.Serve(ctx, ln)
}

func createUser(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cuttle admin create-user", flag.ContinueOnError)
	fs.SetOutput(stderr)
	load := configFlags(fs)
	username := fs.String("username", "", "user name (required)")
	email := fs.String("email", "", "e-mail address (required)")
	password := fs.String("password", "", "password; generated and printed when empty")
	role := fs.Int("role", database.RoleUser.ID(), "0 admin, 1 moderator, 2 user")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return withAccounts(load, stderr, func(ctx context.Context, svc *accounts.Service) error {
		pw, generated := passwordOrNew(*password)
		u, err := svc.CreateUser(ctx, accounts.NewUser{Username: *username, Email: *email, Password: pw, Role: database.RoleByID(*role)})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created user %s (id %d)\n", u.Username, u.ID)
		if generated {
			fmt.Fprintf(stdout, "password: %s\n", pw)
		}
		return nil
	})
}

func resetPassword(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cuttle admin reset-password", flag.ContinueOnError)
	fs.SetOutput(stderr)
	load := configFlags(fs)
	username := fs.String("username", "", "user name (required)")
	password := fs.String("password", "", "new password; generated and printed when empty")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return withAccounts(load, stderr, func(ctx context.Context, svc *accounts.Service) error {
		pw, generated := passwordOrNew(*password)
		if err := svc.ResetPassword(ctx, *username, pw); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "password of %s changed; their sessions were ended\n", *username)
		if generated {
			fmt.Fprintf(stdout, "password: %s\n", pw)
		}
		return nil
	})
}

func passwordOrNew(p string) (string, bool) {
	if p != "" {
		return p, false
	}
	return auth.NewToken()[:20], true
}

func withAccounts(load func() (config.Config, error), stderr io.Writer, fn func(context.Context, *accounts.Service) error) error {
	cfg, err := load()
	if err != nil {
		return err
	}
	ctx := context.Background()
	svc, closeDB, err := app.Admin(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return err
	}
	defer closeDB()
	if err := fn(ctx, svc); err != nil {
		return describe(err)
	}
	return nil
}
