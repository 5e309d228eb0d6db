package app

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// listenMetrics binds the metrics address, when one is configured, so
// that it is taken (or the start fails) before the server says it runs.
func (a *App) listenMetrics(h http.Handler) error {
	if a.cfg.MetricsListen == "" {
		return nil
	}
	ln, err := net.Listen("tcp", a.cfg.MetricsListen)
	if err != nil {
		return fmt.Errorf("app: metrics_listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	a.metricsLn, a.metricsHandler = ln, mux
	a.closers = append(a.closers, func() error {
		// Already closed when Serve ran.
		if err := ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			return fmt.Errorf("app: close metrics listener: %w", err)
		}
		return nil
	})
	return nil
}

// serveMetrics answers /metrics on the metrics address, without
// authentication: the operator keeps that address private (a loopback
// or internal address for the scraper). The returned function stops it
// and waits for it.
func (a *App) serveMetrics() func() {
	if a.metricsLn == nil {
		return func() {}
	}
	srv := &http.Server{
		Handler:           a.metricsHandler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(a.metricsLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("metrics server stopped", "err", err)
		}
	}()
	return func() {
		_ = srv.Close()
		<-done
	}
}
