package tracker

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestParseRequest(t *testing.T) {
	for _, in := range []string{
		`{"action":"announce","info_hash":"AAAAAAAAAAAAAAAAAAAA","peer_id":"-PM0203-abcdefghijkl","numwant":5,"uploaded":0,"downloaded":12.5e3,"left":null,"event":"started","offers":[{"offer":{"type":"offer","sdp":"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"},"offer_id":"\u0001\u00ff\u0000abcdefghijklmnopq"},{"offer_id":"x","offer":{"a":[1,-2.5,true,false,null,{}]}}]}`,
		` { "action" : "scrape" , "info_hash" : [ "AAAAAAAAAAAAAAAAAAAA" , "B\"BBBBBBBBBBBBBBBBBB" ] } `,
		`{"action":"announce","answer":{"type":"answer","sdp":"x"},"to_peer_id":"-PM0203-abcdefghijkl","offer_id":"\u00e9\u00e8abc","peer_id":"p","info_hash":"h","offers":[]}`,
		`{}`,
	} {
		got, err := parseRequest([]byte(in))
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		var want request
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatal(err)
		}
		norm := func(r request) request {
			// Raw values compare by their meaning.
			for _, f := range []*json.RawMessage{&r.InfoHash, &r.Left, &r.Answer, &r.OfferID} {
				*f = compact(t, *f)
			}
			for i := range r.Offers {
				r.Offers[i].Offer, r.Offers[i].OfferID = compact(t, r.Offers[i].Offer), compact(t, r.Offers[i].OfferID)
			}
			if len(r.Offers) == 0 {
				r.Offers = nil
			}
			return r
		}
		if g, w := norm(got), norm(want); !reflect.DeepEqual(g, w) {
			t.Errorf("%s:\n got  %+v\n want %+v", in, g, w)
		}
	}
	for _, bad := range []string{
		``, `[]`, `{"action":}`, `{"action":"a",}`, `{"offers":[{"offer":{"sdp":"unterminated}]}`,
		`{"offers":[{"offer":"` + "\x01" + `"}]}`, `{"a":tru}`, `{"a":01x}`, `{"a":"\x"}`, `{"a":1} trailing`,
		`{"a":` + deep(40) + `}`,
	} {
		if _, err := parseRequest([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func deep(n int) string {
	s := ""
	for range n {
		s += "["
	}
	for range n {
		s += "]"
	}
	return s
}

func compact(t *testing.T, raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	b, _ := json.Marshal(v)
	return b
}

// Whatever parseRequest accepts, encoding/json accepts too, so forwarded
// values are always valid JSON.
func FuzzParseRequest(f *testing.F) {
	f.Add(`{"action":"announce","offers":[{"offer":{"sdp":"x"},"offer_id":"y"}]}`)
	f.Add(`{"info_hash":["a","b"],"left":0}`)
	f.Fuzz(func(t *testing.T, in string) {
		if _, err := parseRequest([]byte(in)); err == nil && !json.Valid([]byte(in)) {
			t.Fatalf("accepted invalid JSON %q", in)
		}
	})
}
