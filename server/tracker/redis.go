package tracker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisCluster shares swarms between replicas through Redis.
//
// A swarm is a sorted set per info hash whose members are
// "peerhex:node" scored with their expiry time, plus a set of the
// members that have everything; a peer's node is also kept under its own
// key for answers, which also makes the peer id that node's until it
// leaves. Entries of a replica that died expire after two announce
// intervals. Messages for a peer on another replica are published on
// that replica's channel; revocations go to every replica on one channel.
type RedisCluster struct {
	rdb    *redis.Client
	node   string
	prefix string
	ttl    time.Duration
	ready  chan struct{}
	once   sync.Once
}

// NewRedisCluster uses rdb; ttl is how long a peer stays without
// announcing again (use twice the announce interval).
func NewRedisCluster(rdb *redis.Client, ttl time.Duration) *RedisCluster {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &RedisCluster{rdb: rdb, node: hex.EncodeToString(b[:]), prefix: "cuttle:tracker:", ttl: ttl, ready: make(chan struct{})}
}

var _ Cluster = (*RedisCluster)(nil)

// Ready is closed once this replica receives messages from the others.
func (r *RedisCluster) Ready() <-chan struct{} { return r.ready }

// Node is this replica's random id.
func (r *RedisCluster) Node() string { return r.node }

func (r *RedisCluster) keys(infoHash string) (all, seeders string) {
	h := hex.EncodeToString([]byte(infoHash))
	return r.prefix + "swarm:" + h, r.prefix + "seeders:" + h
}

func (r *RedisCluster) peerKey(infoHash, peerID string) string {
	return r.prefix + "peer:" + hex.EncodeToString([]byte(infoHash)) + ":" + hex.EncodeToString([]byte(peerID))
}

func (r *RedisCluster) channel(node string) string { return r.prefix + "node:" + node }

func (r *RedisCluster) revokeChannel() string { return r.prefix + "revoke" }

// claimPeer sets a peer's node unless another node holds the peer id.
var claimPeer = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`)

// releasePeer deletes a peer's node if it is still this node's.
const releasePeer = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
`

// Announce records the peer and picks up to n others.
func (r *RedisCluster) Announce(ctx context.Context, infoHash, peerID string, complete bool, n int) ([]Remote, int, int, error) {
	all, seeders := r.keys(infoHash)
	now := time.Now()
	expiry := float64(now.Add(r.ttl).Unix())
	member := hex.EncodeToString([]byte(peerID)) + ":" + r.node
	claimed, err := claimPeer.Run(ctx, r.rdb, []string{r.peerKey(infoHash, peerID)}, r.node, r.ttl.Milliseconds()).Int()
	if err != nil {
		return nil, 0, 0, fmt.Errorf("tracker: redis claim peer id: %w", err)
	}
	if claimed == 0 {
		return nil, 0, 0, ErrPeerIDTaken
	}
	pipe := r.rdb.Pipeline()
	stale := fmt.Sprint(now.Unix())
	pipe.ZRemRangeByScore(ctx, all, "-inf", stale)
	pipe.ZRemRangeByScore(ctx, seeders, "-inf", stale)
	pipe.ZAdd(ctx, all, redis.Z{Score: expiry, Member: member})
	if complete {
		pipe.ZAdd(ctx, seeders, redis.Z{Score: expiry, Member: member})
	}
	pipe.Expire(ctx, all, r.ttl)
	pipe.Expire(ctx, seeders, r.ttl)
	var pick *redis.StringSliceCmd
	if n > 0 {
		pick = pipe.ZRandMember(ctx, all, n+1)
	}
	total := pipe.ZCard(ctx, all)
	done := pipe.ZCard(ctx, seeders)
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, 0, 0, fmt.Errorf("tracker: redis announce: %w", err)
	}
	var peers []Remote
	if pick != nil {
		for _, m := range pick.Val() {
			if m == member || len(peers) == n {
				continue
			}
			hexID, node, ok := strings.Cut(m, ":")
			raw, err := hex.DecodeString(hexID)
			if !ok || err != nil {
				continue
			}
			peers = append(peers, Remote{Node: node, PeerID: string(raw)})
		}
	}
	s := int(done.Val())
	return peers, s, int(total.Val()) - s, nil
}

// Leave removes the peer.
func (r *RedisCluster) Leave(ctx context.Context, infoHash, peerID string) error {
	all, seeders := r.keys(infoHash)
	member := hex.EncodeToString([]byte(peerID)) + ":" + r.node
	pipe := r.rdb.Pipeline()
	pipe.ZRem(ctx, all, member)
	pipe.ZRem(ctx, seeders, member)
	pipe.Eval(ctx, releasePeer, []string{r.peerKey(infoHash, peerID)}, r.node)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("tracker: redis leave: %w", err)
	}
	return nil
}

// Counts returns the swarm's seeders and leechers.
func (r *RedisCluster) Counts(ctx context.Context, infoHash string) (int, int, error) {
	all, seeders := r.keys(infoHash)
	pipe := r.rdb.Pipeline()
	total := pipe.ZCard(ctx, all)
	done := pipe.ZCard(ctx, seeders)
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, 0, err
	}
	return int(done.Val()), int(total.Val() - done.Val()), nil
}

// Locate returns the node a peer announced through.
func (r *RedisCluster) Locate(ctx context.Context, infoHash, peerID string) (string, error) {
	node, err := r.rdb.Get(ctx, r.peerKey(infoHash, peerID)).Result()
	if err == redis.Nil {
		return "", nil
	}
	return node, err
}

// Send publishes msg for a peer on its node's channel: the info hash and
// peer id in hex, then the message.
func (r *RedisCluster) Send(ctx context.Context, to Remote, infoHash string, msg []byte) error {
	payload := make([]byte, 0, 2*idLen*2+len(msg))
	payload = hex.AppendEncode(payload, []byte(infoHash))
	payload = hex.AppendEncode(payload, []byte(to.PeerID))
	payload = append(payload, msg...)
	return r.rdb.Publish(ctx, r.channel(to.Node), payload).Err()
}

// Revoke publishes a video on the channel every node listens to.
func (r *RedisCluster) Revoke(ctx context.Context, video string) error {
	if err := r.rdb.Publish(ctx, r.revokeChannel(), video).Err(); err != nil {
		return fmt.Errorf("tracker: redis revoke: %w", err)
	}
	return nil
}

// Run subscribes to this node's channel and to revocations, and
// delivers what arrives.
func (r *RedisCluster) Run(ctx context.Context, deliver func(infoHash, peerID string, msg []byte), revoke func(video string)) error {
	sub := r.rdb.Subscribe(ctx, r.channel(r.node), r.revokeChannel())
	defer sub.Close()
	// Wait for both subscriptions, so nothing published after Ready is
	// lost.
	for subscribed := 0; subscribed < 2; {
		msg, err := sub.Receive(ctx)
		if err != nil {
			return fmt.Errorf("tracker: redis subscribe: %w", err)
		}
		if s, ok := msg.(*redis.Subscription); ok && s.Kind == "subscribe" {
			subscribed = s.Count
		}
	}
	r.once.Do(func() { close(r.ready) })
	ch := sub.Channel()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case m, ok := <-ch:
			if !ok {
				return nil
			}
			if m.Channel == r.revokeChannel() {
				revoke(m.Payload)
				continue
			}
			p := m.Payload
			if len(p) < 4*idLen {
				continue
			}
			ih, err1 := hex.DecodeString(p[:2*idLen])
			peer, err2 := hex.DecodeString(p[2*idLen : 4*idLen])
			if err1 != nil || err2 != nil {
				continue
			}
			deliver(string(ih), string(peer), []byte(p[4*idLen:]))
		}
	}
}
