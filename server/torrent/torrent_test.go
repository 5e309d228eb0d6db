package torrent

import (
	"bytes"
	"crypto/sha1"
	"strings"
	"testing"

	"github.com/anacrolix/torrent/metainfo"
)

func TestMake(t *testing.T) {
	data := bytes.Repeat([]byte("cuttle "), 100_000)
	f := File{Name: "a video 720p.mp4", Size: int64(len(data)), WebSeed: "https://v.example/static/web-videos/x-720.mp4"}
	tt, err := Make(bytes.NewReader(data), f)
	if err != nil {
		t.Fatal(err)
	}
	mi, err := metainfo.Load(bytes.NewReader(tt.Metainfo))
	if err != nil {
		t.Fatal(err)
	}
	info, err := mi.UnmarshalInfo()
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != f.Name || info.Length != f.Size || len(mi.UrlList) != 1 || mi.UrlList[0] != f.WebSeed ||
		mi.HashInfoBytes().HexString() != tt.InfoHash {
		t.Fatalf("metainfo = %+v, info = %+v", mi, info)
	}
	for i := 0; i < info.NumPieces(); i++ {
		p := info.Piece(i)
		sum := sha1.Sum(data[p.Offset() : p.Offset()+p.Length()])
		if !bytes.Equal(sum[:], info.Pieces[i*20:(i+1)*20]) {
			t.Fatalf("piece %d", i)
		}
	}
	if _, err := Make(bytes.NewReader(data[:100]), f); err == nil {
		t.Fatal("a short file made a torrent")
	}
	m, err := Magnet(tt.InfoHash, "a video", "https://v.example/t.torrent", f)
	if err != nil || !strings.HasPrefix(m, "magnet:?xt=urn:btih:"+tt.InfoHash+"&") || !strings.Contains(m, "ws=") {
		t.Fatalf("Magnet = %q, %v", m, err)
	}
}
