// Command cuttle-bench measures the server against what the machine can
// do without it. It is a benchmark, not a test: aims that are missed are
// reported, and only a broken run makes it fail.
//
//	cuttle-bench upload -file F -server URL -password P -pid PID -baseline-dir D
//	cuttle-bench transcode -clip F
//	cuttle-bench hls-serve -clip F -server URL -password P -data D
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `Usage:
  cuttle-bench upload [flags]      resumable upload against a bare net/http handler
  cuttle-bench transcode [flags]   pipeline.Run against bare ffmpeg and per-rendition ffmpeg
  cuttle-bench hls-serve [flags]   HLS segment GETs (files or byte ranges) per second and CPU against nginx
  cuttle-bench p2p-offload [flags] share of segment bytes N Go peers get from each other
  cuttle-bench tracker-serve       Cuttle's tracker alone, for tracker-load
  cuttle-bench tracker-load [flags] announces per second and RSS of a tracker with many peers

Run a command with -h for its flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "cuttle-bench:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "upload":
		return uploadCmd(ctx, args[1:], stdout, stderr)
	case "transcode":
		return transcodeCmd(ctx, args[1:], stdout, stderr)
	case "hls-serve":
		return hlsServeCmd(ctx, args[1:], stdout, stderr)
	case "p2p-offload":
		return offloadCmd(ctx, args[1:], stdout, stderr)
	case "tracker-serve":
		return trackerServeCmd(ctx, args[1:], stdout, stderr)
	case "tracker-load":
		return trackerLoadCmd(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}
