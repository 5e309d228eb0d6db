package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// The message catalogs: one flat JSON object per language, key to
// message. English is complete and is the fallback for a missing key.
//
//go:embed i18n/*.json
var catalogFS embed.FS

// DefaultLang is the language of visitors who ask for none we have.
const DefaultLang = "en"

// Catalog holds one language's messages.
type Catalog map[string]string

// Catalogs are the loaded languages by code.
type Catalogs map[string]Catalog

// LoadCatalogs reads every catalog in fsys (files named LANG.json).
func LoadCatalogs(fsys fs.FS) (Catalogs, error) {
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, fmt.Errorf("web: list catalogs: %w", err)
	}
	out := Catalogs{}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("web: read catalog %s: %w", name, err)
		}
		var c Catalog
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("web: catalog %s: %w", name, err)
		}
		out[strings.TrimSuffix(path.Base(name), ".json")] = c
	}
	if _, ok := out[DefaultLang]; !ok {
		return nil, fmt.Errorf("web: no %s catalog", DefaultLang)
	}
	return out, nil
}

// Languages lists the catalog codes, sorted.
func (cs Catalogs) Languages() []string {
	out := make([]string, 0, len(cs))
	for k := range cs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// translator renders one language's messages, falling back to English.
type translator struct {
	lang     string
	msgs     Catalog
	fallback Catalog
}

func (cs Catalogs) translator(lang string) translator {
	return translator{lang: lang, msgs: cs[lang], fallback: cs[DefaultLang]}
}

func (tr translator) message(key string) string {
	if m, ok := tr.msgs[key]; ok {
		return m
	}
	if m, ok := tr.fallback[key]; ok {
		return m
	}
	// A missing key shows itself, so it is noticed rather than blank.
	return key
}

// T returns the message for key; with args, the message is a format for
// fmt.Sprintf.
func (tr translator) T(key string, args ...any) string {
	m := tr.message(key)
	if len(args) == 0 {
		return m
	}
	return fmt.Sprintf(m, args...)
}

// N picks key.one or key.other for a count, by the language's rule, and
// formats the count into it.
func (tr translator) N(key string, count any) string {
	var n int64
	switch v := count.(type) {
	case int:
		n = int64(v)
	case int64:
		n = v
	default:
		return fmt.Sprintf("%s(%v)", key, count)
	}
	form := ".other"
	if one(tr.lang, n) {
		form = ".one"
	}
	return fmt.Sprintf(tr.message(key+form), n)
}

// one is the plural rule: French counts 0 and 1 as singular, English
// only 1.
func one(lang string, n int64) bool {
	if lang == "fr" {
		return n == 0 || n == 1
	}
	return n == 1
}

// Subset returns the messages whose key starts with prefix, for the
// scripts of a page.
func (tr translator) Subset(prefix string) map[string]string {
	out := map[string]string{}
	for _, c := range []Catalog{tr.fallback, tr.msgs} {
		for k, v := range c {
			if strings.HasPrefix(k, prefix) {
				out[k] = v
			}
		}
	}
	return out
}

// Negotiate picks the language of a request: the cookie's when it names
// a catalog, else the best match of the Accept-Language header, else
// English.
func (cs Catalogs) Negotiate(cookie, acceptLanguage string) string {
	if _, ok := cs[cookie]; ok {
		return cookie
	}
	type pref struct {
		lang string
		q    float64
	}
	var prefs []pref
	for part := range strings.SplitSeq(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if _, ok := cs[base]; ok && q > 0 {
			prefs = append(prefs, pref{base, q})
		}
	}
	// Stable, so equal weights keep the client's order.
	slices.SortStableFunc(prefs, func(a, b pref) int {
		switch {
		case a.q > b.q:
			return -1
		case a.q < b.q:
			return 1
		}
		return 0
	})
	if len(prefs) > 0 {
		return prefs[0].lang
	}
	return DefaultLang
}
