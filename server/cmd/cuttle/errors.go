package main

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"cuttle.video/server/problem"
)

// describe renders a processing error for a terminal: the safe detail and
// each invalid field, like the API would.
func describe(err error) error {
	var p *problem.Problem
	if !errors.As(err, &p) || p.Status >= 500 {
		return err
	}
	var b strings.Builder
	b.WriteString(p.Detail)
	keys := make([]string, 0, len(p.InvalidParams))
	for k := range p.InvalidParams {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "\n  %s: %s", k, p.InvalidParams[k])
	}
	return errors.New(b.String())
}
