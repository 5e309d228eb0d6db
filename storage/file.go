package storage

import (
	"context"
	"fmt"
	"os"
)

// FileImporter is implemented by stores that can take ownership of a
// local file more cheaply than by copying its bytes (the local directory
// renames it). After a successful import the file at path is gone.
type FileImporter interface {
	ImportFile(ctx context.Context, key, path string) error
}

// PutFile stores the local file at path under key and removes the file.
// It uses ImportFile when the store offers it.
func PutFile(ctx context.Context, st Store, key, path, contentType string) error {
	if imp, ok := st.(FileImporter); ok {
		return imp.ImportFile(ctx, key, path)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("storage: put file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("storage: put file: %w", err)
	}
	if err := st.Put(ctx, key, f, fi.Size(), contentType); err != nil {
		return err
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("storage: remove imported file: %w", err)
	}
	return nil
}
