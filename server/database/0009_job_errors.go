package database

func init() { registerSQL("0009", "job_errors_without_urls", schemaV9) }

// schemaV9 is frozen: later changes go into new migrations, never here.
// Job errors used to carry whole presigned URLs (of an original, or of an
// output that could then be overwritten) when a worker's request failed.
// Workers and the server now redact them; errors stored before are
// replaced where they may hold a URL or a signature.
const schemaV9 = `
UPDATE jobs SET error = 'The error was removed on upgrade because it could contain a signed URL.'
	WHERE error LIKE '%://%' OR error LIKE '%sig=%' OR error LIKE '%X-Amz-%';
UPDATE videos SET state_reason = 'The error was removed on upgrade because it could contain a signed URL.'
	WHERE state_reason LIKE '%://%' OR state_reason LIKE '%sig=%' OR state_reason LIKE '%X-Amz-%'
`
