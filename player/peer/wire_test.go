package peer

import (
	"bytes"
	"reflect"
	"testing"
)

func TestWireEncoding(t *testing.T) {
	for _, tc := range []struct {
		cmd  command
		want []byte
	}{
		{command{Type: cmdRequest, Segment: 5, Request: 300},
			[]byte("cstr\x01i\x01\x05r\x02\x01\x2Ccend")},
		{command{Type: cmdAnnouncement, Loaded: []int64{0, 1, 2, 300}},
			[]byte("cstr\x00l\x10\x02\x01\x03\x00\x01\x02\x02\x01\x01\x2Ccend")},
		{command{Type: cmdData, Segment: 0, Request: 7, Size: 70000},
			[]byte("cstr\x02i\x01\x00s\x03\x01\x11\x70r\x01\x07cend")},
		{command{Type: cmdAbsent, Segment: 128, Request: 1},
			[]byte("cstr\x04i\x02\x00\x80r\x01\x01cend")},
	} {
		got := tc.cmd.encode()
		if !bytes.Equal(got, tc.want) {
			t.Errorf("%+v: encoded %q, want %q", tc.cmd, got, tc.want)
		}
		if !isCommandChunk(got) {
			t.Errorf("%q is not seen as a command", got)
		}
		var j joiner
		whole, ok := j.add(got)
		if !ok {
			t.Fatal("joiner kept a one-chunk command")
		}
		back, err := decodeCommand(whole)
		if err != nil {
			t.Fatal(err)
		}
		if back.Type != tc.cmd.Type || back.Segment != tc.cmd.Segment || back.Request != tc.cmd.Request ||
			back.Size != tc.cmd.Size || !reflect.DeepEqual(back.Loaded, tc.cmd.Loaded) {
			t.Errorf("round trip of %+v gave %+v", tc.cmd, back)
		}
	}
	if v, _, err := readInt(appendInt(nil, -1234)); err != nil || v != -1234 {
		t.Fatalf("negative int: %d %v", v, err)
	}
}

func TestJoinSplitCommand(t *testing.T) {
	// A command split over three chunks, as long announcements are.
	var j joiner
	parts := [][]byte{[]byte("cstr\x00l\x10dend"), []byte("dstr\x01\x01dend"), []byte("dstr\x01\x07cend")}
	for i, p := range parts {
		whole, ok := j.add(p)
		if ok != (i == len(parts)-1) {
			t.Fatalf("chunk %d: complete = %v", i, ok)
		}
		if ok {
			cmd, err := decodeCommand(whole)
			if err != nil || !reflect.DeepEqual(cmd.Loaded, []int64{7}) {
				t.Fatalf("joined command %+v %v", cmd, err)
			}
		}
	}
	if isCommandChunk([]byte("plain segment bytes")) {
		t.Fatal("segment data taken for a command")
	}
}
