package storagetest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cuttle.video/storage"
)

const (
	grantPrefix = "staging/v1/j1/"
	grantMax    = 64 << 10
)

var grantTypes = []string{storage.ContentTypeFor("x.m4s"), storage.ContentTypeFor("x.m3u8")}

// send writes data as name through g and returns the answer's status.
func send(t *testing.T, g storage.Grant, name string, data []byte, edit func(*http.Request)) int {
	t.Helper()
	req, err := g.Request(t.Context(), name, bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("grant request for %s: %v", name, err)
	}
	if edit != nil {
		edit(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, name, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func grantPut(t *testing.T, s storage.Store, ttl time.Duration) storage.Grant {
	t.Helper()
	g, err := s.GrantPut(t.Context(), grantPrefix, grantTypes, ttl, grantMax)
	if err != nil {
		t.Fatalf("GrantPut: %v", err)
	}
	return g
}

// wantOnly fails unless the store holds exactly keys.
func wantOnly(t *testing.T, s storage.Store, keys ...string) {
	t.Helper()
	got, err := s.List(t.Context(), "")
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	var have []string
	for _, o := range got {
		have = append(have, o.Key)
	}
	if !slices.Equal(have, keys) {
		t.Fatalf("store holds %q, want %q", have, keys)
	}
}

func testGrantPut(t *testing.T, s storage.Store) {
	g := grantPut(t, s, 5*time.Minute)
	seg, pl := randomBytes(grantMax), []byte("#EXTM3U\n")
	if code := send(t, g, "720p-00000.m4s", seg, nil); code/100 != 2 {
		t.Fatalf("segment through the grant: status %d", code)
	}
	if code := send(t, g, "720p.m3u8", pl, nil); code/100 != 2 {
		t.Fatalf("playlist through the grant: status %d", code)
	}
	for name, data := range map[string][]byte{"720p-00000.m4s": seg, "720p.m3u8": pl} {
		got, info := get(t, s, grantPrefix+name, nil)
		if !bytes.Equal(got, data) || info.ContentType != storage.ContentTypeFor(name) {
			t.Fatalf("%s: %d bytes of type %q, want %d of %q", name, len(got), info.ContentType, len(data), storage.ContentTypeFor(name))
		}
	}

	for _, bad := range []string{"../x.m4s", "a/b.m4s", ".hidden.m4s", ""} {
		if _, err := g.Request(t.Context(), bad, bytes.NewReader(nil), 0); !errors.Is(err, storage.ErrNotGranted) {
			t.Errorf("request for %q: %v, want ErrNotGranted", bad, err)
		}
	}
	// Prefixes that List takes but a grant does not; InvalidKeys tries
	// those that nothing takes.
	for _, prefix := range []string{"staging/v1/j1", ""} {
		if _, err := s.GrantPut(t.Context(), prefix, grantTypes, time.Minute, 1); !errors.Is(err, storage.ErrInvalidKey) {
			t.Errorf("GrantPut(%q): %v, want ErrInvalidKey", prefix, err)
		}
	}
	wantOnly(t, s, grantPrefix+"720p-00000.m4s", grantPrefix+"720p.m3u8")
}

// elsewhere is g pointed at another prefix without being signed again.
func elsewhere(g storage.Grant, prefix string) storage.Grant {
	if g.Put != nil {
		put := *g.Put
		put.URL = strings.Replace(put.URL, g.Prefix, prefix, 1)
		g.Put = &put
	}
	g.Prefix = prefix
	return g
}

// relabelled is g with every form claiming to be for contentType, so a
// request for a name of that type can be built from it.
func relabelled(g storage.Grant, contentType string) storage.Grant {
	forms := slices.Clone(g.Forms)
	for i := range forms {
		forms[i].ContentType = contentType
	}
	g.Forms = forms
	return g
}

// raised is g with its size limit raised tenfold in what the holder sends:
// the query of a PUT grant, the policy of a POST form.
func raised(t *testing.T, g storage.Grant) storage.Grant {
	t.Helper()
	from, to := strconv.Itoa(grantMax), strconv.Itoa(10*grantMax)
	if g.Put != nil {
		put := *g.Put
		put.Query = strings.Replace(put.Query, "max="+from, "max="+to, 1)
		if put.Query == g.Put.Query {
			t.Fatalf("no size limit in the grant's query %q", put.Query)
		}
		g.Put = &put
	}
	forms := slices.Clone(g.Forms)
	for i, f := range forms {
		policy, err := base64.StdEncoding.DecodeString(f.Fields["policy"])
		if err != nil || !bytes.Contains(policy, []byte(","+from+"]")) {
			t.Fatalf("no size limit in the policy %q (%v)", policy, err)
		}
		policy = bytes.Replace(policy, []byte(","+from+"]"), []byte(","+to+"]"), 1)
		fields := make(map[string]string, len(f.Fields))
		for k, v := range f.Fields {
			fields[k] = v
		}
		fields["policy"] = base64.StdEncoding.EncodeToString(policy)
		forms[i].Fields = fields
	}
	g.Forms = forms
	return g
}

func testGrantRefusals(t *testing.T, s storage.Store) {
	g := grantPut(t, s, 5*time.Minute)
	data := randomBytes(1000)
	refused := func(what string, code int) {
		t.Helper()
		if code/100 == 2 {
			t.Errorf("%s: status %d, want a refusal", what, code)
		}
	}
	refused("outside the prefix", send(t, elsewhere(g, "media/v1/"), "720p-00000.m4s", data, nil))
	refused("a type not granted", send(t, relabelled(g, storage.ContentTypeFor("x.html")), "page.html", data, nil))
	refused("one byte too large", send(t, g, "720p-00003.m4s", randomBytes(grantMax+1), nil))
	refused("a tampered size limit", send(t, raised(t, g), "720p-00004.m4s", randomBytes(2*grantMax), nil))
	wantOnly(t, s)
}

// declaring makes a grant's request declare contentType for the object
// it writes, or no type when contentType is empty: in the header of a
// PUT, in the Content-Type field of a form.
func declaring(t *testing.T, contentType string) func(*http.Request) {
	return func(r *http.Request) {
		t.Helper()
		if r.Method == http.MethodPut {
			r.Header.Del("Content-Type")
			if contentType != "" {
				r.Header.Set("Content-Type", contentType)
			}
			return
		}
		_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil {
			t.Fatalf("form type %q: %v", r.Header.Get("Content-Type"), err)
		}
		var body bytes.Buffer
		mr, mw := multipart.NewReader(r.Body, params["boundary"]), multipart.NewWriter(&body)
		if err := mw.SetBoundary(params["boundary"]); err != nil {
			t.Fatalf("form boundary: %v", err)
		}
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("read the form: %v", err)
			}
			if p.FormName() == "Content-Type" {
				if contentType != "" {
					err = mw.WriteField("Content-Type", contentType)
				}
			} else if w, werr := mw.CreatePart(p.Header); werr != nil {
				err = werr
			} else {
				_, err = io.Copy(w, p)
			}
			if err != nil {
				t.Fatalf("rewrite the form: %v", err)
			}
		}
		if err := mw.Close(); err != nil {
			t.Fatalf("rewrite the form: %v", err)
		}
		r.Body, r.ContentLength, r.GetBody = io.NopCloser(&body), int64(body.Len()), nil
	}
}

// testGrantDeclaredType writes through a grant while declaring types of
// its own: whatever the writer declares, an object is stored with its
// name's type or not at all, and a segment declared as a web page is
// refused.
func testGrantDeclaredType(t *testing.T, s storage.Store) {
	g := grantPut(t, s, 5*time.Minute)
	want := storage.ContentTypeFor("x.m4s")
	for i, declared := range []string{want, "", "application/octet-stream", "text/html"} {
		name := fmt.Sprintf("720p-%05d.m4s", i)
		data := randomBytes(1000)
		code := send(t, g, name, data, declaring(t, declared))
		switch {
		case code/100 == 2 && declared == "text/html":
			t.Errorf("%s declared as text/html: status %d, want a refusal", name, code)
		case code/100 == 2:
			if got, info := get(t, s, grantPrefix+name, nil); !bytes.Equal(got, data) || info.ContentType != want {
				t.Errorf("%s declared as %q: stored %d bytes of type %q, want %d of %q", name, declared, len(got), info.ContentType, len(data), want)
			}
		case declared == want:
			t.Errorf("%s declared with its own type: status %d", name, code)
		default:
			if _, err := s.Stat(t.Context(), grantPrefix+name); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("%s declared as %q was refused (status %d) yet stored (stat: %v)", name, declared, code, err)
			}
		}
	}
}

func testGrantExpired(t *testing.T, s storage.Store) {
	const name = "720p-00000.m4s"
	old := randomBytes(1000)
	put(t, s, grantPrefix+name, old, "")
	g := grantPut(t, s, time.Second)
	// Expiry has one-second resolution in every scheme, so wait past the
	// next whole second after the deadline.
	time.Sleep(3100 * time.Millisecond)
	if code := send(t, g, name, []byte("x"), nil); code/100 == 2 {
		t.Fatalf("overwrite through an expired grant: status %d", code)
	}
	if code := send(t, g, "720p-00001.m4s", []byte("x"), nil); code/100 == 2 {
		t.Fatalf("write through an expired grant: status %d", code)
	}
	if got, _ := get(t, s, grantPrefix+name, nil); !bytes.Equal(got, old) {
		t.Fatalf("a write through an expired grant changed the object to %d bytes", len(got))
	}
	wantOnly(t, s, grantPrefix+name)
}

// testGrantDotSegments writes through a grant to a key that climbs out of
// the prefix with ".." elements: a store must refuse it or keep the key
// literally, under the prefix. An S3 POST policy only bounds the key's
// start, so this holds only on services that never resolve such keys.
func testGrantDotSegments(t *testing.T, s storage.Store) {
	g := grantPut(t, s, 5*time.Minute)
	_ = send(t, elsewhere(g, grantPrefix+"../../../media/v1/"), "720p-00001.m4s", randomBytes(1000), nil)
	got, err := s.List(t.Context(), "")
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	for _, o := range got {
		if !strings.HasPrefix(o.Key, grantPrefix) {
			t.Fatalf("a write through the grant landed outside its prefix, at %s", o.Key)
		}
	}
}
