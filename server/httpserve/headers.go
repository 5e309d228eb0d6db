package httpserve

import "github.com/gin-gonic/gin"

// NoSniff holds browsers to an answer's declared type, so that no
// stored file is ever taken for a page or a script.
func NoSniff(c *gin.Context) { c.Header("X-Content-Type-Options", "nosniff") }
