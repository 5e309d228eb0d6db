package s3

import (
	"errors"
	"fmt"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"cuttle.video/storage"
)

// classify maps the service's answers onto the storage errors. Error codes
// are checked before HTTP statuses because a missing bucket is also a 404
// but is a configuration problem, not a missing object. HEAD answers carry
// no body, so for them only the status is there to go by.
func classify(err error) error {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode() {
		case "NoSuchBucket":
			return err
		case "NoSuchKey", "NotFound":
			return storage.ErrNotFound
		case "InvalidRange":
			return fmt.Errorf("%w: %w", storage.ErrInvalidRange, err)
		}
	}
	var respErr *awshttp.ResponseError
	if errors.As(err, &respErr) {
		switch respErr.HTTPStatusCode() {
		case http.StatusNotFound:
			return storage.ErrNotFound
		case http.StatusRequestedRangeNotSatisfiable:
			return fmt.Errorf("%w: %w", storage.ErrInvalidRange, err)
		}
	}
	return err
}

// ownedByUs reports a CreateBucket refused because we already have it,
// which for EnsureBucket is success.
func ownedByUs(err error) bool {
	if errors.As(err, new(*types.BucketAlreadyOwnedByYou)) {
		return true
	}
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == "BucketAlreadyOwnedByYou"
}
