package s3

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// What a page's player needs from the bucket: it is sent there by
// redirects to presigned URLs (or links to the public URL), so every read
// is cross-origin. Range is how a P2P loader resumes a segment over HTTP;
// the exposed headers are what players read of the answer.
var (
	corsMethods = []string{"GET", "HEAD"}
	corsHeaders = []string{"Range"}
	corsExposed = []string{"Content-Length", "Content-Range", "ETag"}
)

// corsMaxAge lets a browser keep a preflight's answer for an hour, which
// Chromium caps at two anyway.
const corsMaxAge = 3600

// corsNeeds says, for an admin, what a bucket or CDN must allow so that
// pages of origins can play media from it.
func corsNeeds(origins []string) string {
	return fmt.Sprintf("allowed origins %s, methods %s, allowed headers %s, exposed headers %s",
		strings.Join(origins, " "), strings.Join(corsMethods, " "),
		strings.Join(corsHeaders, " "), strings.Join(corsExposed, " "))
}

// ensureCORS adds a rule for the configured origins that the bucket's
// CORS configuration does not cover yet, before the rules it has, so that
// it is the one a browser request from those origins matches. Rules for
// other origins are kept. Replicas sharing a public URL add the same rule,
// so starting them together is harmless.
func (s *Store) ensureCORS(ctx context.Context) error {
	rules, err := s.corsRules(ctx)
	if err != nil {
		return err
	}
	var missing []string
	for _, o := range s.origins {
		if !slices.ContainsFunc(rules, func(r types.CORSRule) bool { return covers(r, o) }) {
			missing = append(missing, o)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	rule := types.CORSRule{
		ID:             aws.String("cuttle-players"),
		AllowedOrigins: missing,
		AllowedMethods: corsMethods,
		AllowedHeaders: corsHeaders,
		ExposeHeaders:  corsExposed,
		MaxAgeSeconds:  aws.Int32(corsMaxAge),
	}
	if _, err := s.client.PutBucketCors(ctx, &awss3.PutBucketCorsInput{
		Bucket:            &s.bucket,
		CORSConfiguration: &types.CORSConfiguration{CORSRules: append([]types.CORSRule{rule}, rules...)},
	}); err != nil {
		return fmt.Errorf("s3: put bucket CORS: %w", err)
	}
	return nil
}

// corsRules reads the bucket's CORS rules; a bucket without any has none.
func (s *Store) corsRules(ctx context.Context) ([]types.CORSRule, error) {
	out, err := s.client.GetBucketCors(ctx, &awss3.GetBucketCorsInput{Bucket: &s.bucket})
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() == "NoSuchCORSConfiguration" {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("s3: get bucket CORS: %w", err)
	}
	return out.CORSRules, nil
}

// covers tells whether r alone lets the players of origin read objects.
// Origin patterns other than "*" are not evaluated: a rule naming the
// origin itself is added next to them.
func covers(r types.CORSRule, origin string) bool {
	if !slices.Contains(r.AllowedOrigins, origin) && !slices.Contains(r.AllowedOrigins, "*") {
		return false
	}
	for _, m := range corsMethods {
		if !slices.Contains(r.AllowedMethods, m) {
			return false
		}
	}
	for _, h := range corsHeaders {
		if !containsFold(r.AllowedHeaders, h) && !slices.Contains(r.AllowedHeaders, "*") {
			return false
		}
	}
	for _, h := range corsExposed {
		if !containsFold(r.ExposeHeaders, h) {
			return false
		}
	}
	return true
}

// containsFold is slices.Contains for header names, which ignore case.
func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(e string) bool { return strings.EqualFold(e, s) })
}
