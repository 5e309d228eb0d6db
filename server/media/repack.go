package media

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"strings"

	"cuttle.video/server/database"
	"cuttle.video/storage"
	"cuttle.video/transcoder/job"
	"cuttle.video/transcoder/pipeline"
)

// Videos transcoded before the fragmented layout keep an init segment and
// one file per segment for each rendition. Repackaging joins them, in
// order, into the rendition's one fragmented MP4 (an fMP4 init segment
// followed by its media segments is exactly that file, byte for byte:
// nothing is decoded or encoded), writes the byte-range playlists, the
// hash map in PeerTube's shape and a new master, records the new result,
// and only then removes the old files. The segments keep their bytes, so
// their hashes and the swarms of their renditions stay the same.

// RepackageAll repackages every video still in the old layout, one at a
// time, until done or ctx ends. The server runs it in the background at
// start; the files lock keeps replicas that do the same, and a
// transcoding finishing meanwhile, out of each other's way.
func RepackageAll(ctx context.Context, db *database.DB, st storage.Store, log *slog.Logger) {
	ids, err := db.VideosWithLegacyHLS(ctx)
	if err != nil {
		log.ErrorContext(ctx, "list the videos to repackage", "err", err)
		return
	}
	for _, id := range ids {
		err := WithFilesLocked(ctx, db, st, id, func(v *database.Video) error {
			return repackage(ctx, db, st, v)
		})
		switch {
		case ctx.Err() != nil:
			return
		case errors.Is(err, ErrFilesBusy) || errors.Is(err, database.ErrNotFound):
			// Its holder (or its deletion) changes it; a later start
			// repackages what is still old then.
		case err != nil:
			log.ErrorContext(ctx, "repackage a video into fragmented MP4 renditions", "video", id, "err", err)
		default:
			log.InfoContext(ctx, "repackaged a video into fragmented MP4 renditions", "video", id)
		}
	}
}

// repackage moves v, whose files lock the caller holds, to the
// fragmented layout; a video already in it is left alone.
func repackage(ctx context.Context, db *database.DB, st storage.Store, v *database.Video) error {
	old := Result(v)
	if old == nil || !old.Legacy() {
		return nil
	}
	prefix := MediaPrefix(v)
	objects, err := st.List(ctx, prefix)
	if err != nil {
		return fmt.Errorf("media: list files of video %s: %w", v.UUID, err)
	}
	sizes := make(map[string]int64, len(objects))
	for _, o := range objects {
		sizes[strings.TrimPrefix(o.Key, prefix)] = o.Size
	}
	res := *old
	res.Renditions = make([]job.RenditionResult, len(old.Renditions))
	res.SegmentsSHA256, res.Master = job.SegmentsName(job.NewFileID()), job.MasterName(job.NewFileID())
	res.Files = []string{res.SegmentsSHA256}
	hashes := job.SegmentHashes{}
	var stale []string
	for i, r := range old.Renditions {
		nr, ranges, err := repackageRendition(ctx, st, prefix, r, sizes)
		if err != nil {
			return fmt.Errorf("media: repackage rendition %s of video %s: %w", r.Name, v.UUID, err)
		}
		res.Renditions[i], hashes[nr.File] = nr, ranges
		res.Files = append(res.Files, nr.File, nr.Playlist)
		stale = append(append(stale, r.Playlist), job.LegacyFiles(r)...)
	}
	for _, f := range old.Files {
		if f == old.Thumbnail || f == old.Preview {
			res.Files = append(res.Files, f)
		}
	}
	if err := MakeTorrents(ctx, st, prefix, v, &res); err != nil {
		return err
	}
	data, err := json.Marshal(hashes)
	if err != nil {
		return fmt.Errorf("media: encode segment hashes: %w", err)
	}
	if err := st.Put(ctx, prefix+res.SegmentsSHA256, strings.NewReader(string(data)), int64(len(data)), ""); err != nil {
		return fmt.Errorf("media: write segment hashes: %w", err)
	}
	if err := WriteMaster(ctx, db, st, v, &res); err != nil {
		return err
	}
	hls, err := json.Marshal(&res)
	if err != nil {
		return err
	}
	v.HLS = string(hls)
	if err := db.UpdateVideo(ctx, v, false, "hls"); err != nil {
		return err
	}
	// Players that loaded the old master before this point lose their
	// next segment and reload; the old files cannot stay, or nothing
	// would ever remove them.
	for _, name := range append(stale, job.LegacyMasterPlaylist, old.SegmentsSHA256) {
		if err := st.Delete(ctx, prefix+name); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("media: remove %s of video %s: %w", name, v.UUID, err)
		}
	}
	return nil
}

// repackageRendition joins r's init segment and segments into one
// fragmented MP4 under prefix, streamed from storage to storage, and
// writes its byte-range playlist. It returns the rendition as the new
// layout describes it, with its segments' hashes by byte range.
func repackageRendition(ctx context.Context, st storage.Store, prefix string, r job.RenditionResult, sizes map[string]int64) (job.RenditionResult, map[string]string, error) {
	names := job.LegacyFiles(r)
	var total int64
	for _, n := range names {
		size, ok := sizes[n]
		if !ok || size <= 0 {
			return r, nil, fmt.Errorf("%s is missing", n)
		}
		total += size
	}
	data, err := storage.ReadAll(ctx, st, prefix+r.Playlist, pipeline.MaxPlaylistSize)
	if err != nil {
		return r, nil, fmt.Errorf("read playlist: %w", err)
	}
	durations, err := pipeline.SegmentDurations(data)
	if err != nil {
		return r, nil, err
	}
	if len(durations) != len(names)-1 {
		return r, nil, fmt.Errorf("the playlist lists %d segments, the result %d", len(durations), len(names)-1)
	}
	id := job.NewFileID()
	r.File, r.Playlist = job.FragmentedName(id, r.Resolution()), job.PlaylistName(id, r.Resolution())
	r.Size = total
	pr, pw := io.Pipe()
	ranges := make(map[string]string, len(durations))
	copied := make(chan error, 1)
	go func() {
		err := joinInto(ctx, st, prefix, names, sizes, pw, ranges)
		pw.CloseWithError(err)
		copied <- err
	}()
	err = st.Put(ctx, prefix+r.File, pr, total, storage.ContentTypeFor(r.File))
	// Unblocks the copy if Put gave up before reading everything.
	pr.CloseWithError(errors.New("media: the upload ended"))
	if cerr := <-copied; err == nil {
		err = cerr
	}
	if err != nil {
		return r, nil, fmt.Errorf("write %s: %w", r.File, err)
	}
	segs := make([]pipeline.Segment, len(durations))
	for i, d := range durations {
		segs[i] = pipeline.Segment{Duration: d, Size: sizes[names[i+1]]}
	}
	pl, err := pipeline.ByteRangePlaylist(r.File, sizes[names[0]], segs)
	if err != nil {
		return r, nil, err
	}
	if err := st.Put(ctx, prefix+r.Playlist, strings.NewReader(string(pl)), int64(len(pl)), ""); err != nil {
		return r, nil, fmt.Errorf("write %s: %w", r.Playlist, err)
	}
	return r, ranges, nil
}

// joinInto copies the stored files names, in order, into w, and records
// in ranges the hash of each but the first (the init segment) by the
// byte range it takes in the joined file.
func joinInto(ctx context.Context, st storage.Store, prefix string, names []string, sizes map[string]int64, w io.Writer, ranges map[string]string) error {
	var offset int64
	for i, n := range names {
		var h hash.Hash
		dst := w
		if i > 0 {
			h = sha256.New()
			dst = io.MultiWriter(w, h)
		}
		if err := copyObject(ctx, st, prefix+n, sizes[n], dst); err != nil {
			return err
		}
		if h != nil {
			ranges[job.ByteRange(offset, sizes[n])] = hex.EncodeToString(h.Sum(nil))
		}
		offset += sizes[n]
	}
	return nil
}

func copyObject(ctx context.Context, st storage.Store, key string, size int64, w io.Writer) error {
	rc, _, err := st.Get(ctx, key, nil)
	if err != nil {
		return fmt.Errorf("read %s: %w", key, err)
	}
	defer rc.Close()
	if n, err := io.Copy(w, rc); err != nil || n != size {
		return fmt.Errorf("read %s: %d of %d bytes: %w", key, n, size, err)
	}
	return nil
}
