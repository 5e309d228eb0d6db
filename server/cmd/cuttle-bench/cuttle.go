package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// cuttle is a logged-in client of a Cuttle server's PeerTube API.
type cuttle struct {
	base    *url.URL
	client  *http.Client
	token   string
	channel int64
}

// login gets a token for user with the password grant, as PeerTube's web
// client does, and finds the user's first channel to upload to.
func login(ctx context.Context, client *http.Client, server, user, password string) (*cuttle, error) {
	base, err := url.Parse(strings.TrimSuffix(server, "/"))
	if err != nil || base.Scheme == "" || base.Host == "" {
		return nil, fmt.Errorf("-server %q is not an absolute URL", server)
	}
	c := &cuttle{base: base, client: client}
	var oc struct {
		ID     string `json:"client_id"`
		Secret string `json:"client_secret"`
	}
	if err := c.call(ctx, http.MethodGet, "/api/v1/oauth-clients/local", nil, nil, http.StatusOK, &oc); err != nil {
		return nil, err
	}
	form := url.Values{
		"client_id": {oc.ID}, "client_secret": {oc.Secret},
		"grant_type": {"password"}, "username": {user}, "password": {password},
	}
	hdr := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	var tok struct {
		Access string `json:"access_token"`
	}
	if err := c.call(ctx, http.MethodPost, "/api/v1/users/token", hdr, strings.NewReader(form.Encode()), http.StatusOK, &tok); err != nil {
		return nil, fmt.Errorf("log in as %s: %w", user, err)
	}
	c.token = tok.Access
	var me struct {
		Channels []struct {
			ID int64 `json:"id"`
		} `json:"videoChannels"`
	}
	if err := c.call(ctx, http.MethodGet, "/api/v1/users/me", nil, nil, http.StatusOK, &me); err != nil {
		return nil, err
	}
	if len(me.Channels) == 0 {
		return nil, fmt.Errorf("%s has no channel to upload to", user)
	}
	c.channel = me.Channels[0].ID
	return c, nil
}

func (c *cuttle) auth() http.Header {
	return http.Header{"Authorization": {"Bearer " + c.token}}
}

// call does one API request, decoding a JSON answer into out unless out
// is nil; any other status than want is an error carrying the problem
// the server described.
func (c *cuttle) call(ctx context.Context, method, path string, hdr http.Header, body io.Reader, want int, out any) error {
	_, err := c.do(ctx, method, path, hdr, body, want, out)
	return err
}

// do is call for the one request whose answer is in a header (init's
// Location).
func (c *cuttle) do(ctx context.Context, method, path string, hdr http.Header, body io.Reader, want int, out any) (http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base.String()+path, body)
	if err != nil {
		return nil, err
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return nil, fmt.Errorf("%s %s answered %s: %s", method, path, resp.Status, bytes.TrimSpace(msg))
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return nil, fmt.Errorf("%s %s: decode answer: %w", method, path, err)
		}
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Header, nil
}

// initUpload opens a resumable upload and returns the URL to PUT chunks to.
func (c *cuttle) initUpload(ctx context.Context, size int64) (string, error) {
	meta, err := json.Marshal(map[string]any{"name": "bench", "channelId": c.channel, "filename": "bench.mp4"})
	if err != nil {
		return "", err
	}
	hdr := http.Header{
		"Content-Type":            {"application/json"},
		"X-Upload-Content-Length": {strconv.FormatInt(size, 10)},
		"X-Upload-Content-Type":   {"video/mp4"},
	}
	h, err := c.do(ctx, http.MethodPost, "/api/v1/videos/upload-resumable", hdr, bytes.NewReader(meta), http.StatusCreated, nil)
	if err != nil {
		return "", err
	}
	loc, err := url.Parse(h.Get("Location"))
	if err != nil || h.Get("Location") == "" {
		return "", fmt.Errorf("init answered without a usable Location: %q", h.Get("Location"))
	}
	return c.base.ResolveReference(loc).String(), nil
}

// uploaded is the video a finished upload created.
type uploaded struct {
	ID   int64  `json:"id"`
	UUID string `json:"uuid"`
}

// checkChunk follows the resumable protocol: 308 with the stored range
// after each chunk, 200 with the video after the last one.
func checkChunk(v *uploaded) func(answer) error {
	return func(a answer) error {
		resp := a.resp
		if !a.last {
			if resp.StatusCode != http.StatusPermanentRedirect {
				msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
				return fmt.Errorf("answered %s, want 308: %s", resp.Status, bytes.TrimSpace(msg))
			}
			if want := fmt.Sprintf("bytes=0-%d", a.end); resp.Header.Get("Range") != want {
				return fmt.Errorf("answered Range %q, want %q", resp.Header.Get("Range"), want)
			}
			return nil
		}
		if resp.StatusCode != http.StatusOK {
			msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
			return fmt.Errorf("last chunk answered %s, want 200: %s", resp.Status, bytes.TrimSpace(msg))
		}
		var out struct {
			Video uploaded `json:"video"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			return fmt.Errorf("decode the video: %w", err)
		}
		if out.Video.ID == 0 {
			return fmt.Errorf("the answer names no video")
		}
		*v = out.Video
		return nil
	}
}

// deleteVideo removes a benchmark video so that runs do not fill the
// disk.
func (c *cuttle) deleteVideo(ctx context.Context, id int64) error {
	return c.call(ctx, http.MethodDelete, "/api/v1/videos/"+strconv.FormatInt(id, 10), nil, nil, http.StatusNoContent, nil)
}
