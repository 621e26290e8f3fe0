package weaviatestore

import (
	lev "github.com/agnivade/levenshtein"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/filters"
)

func rangeInt(path string, lo, hi int) *filters.WhereBuilder {
	return and(
		filters.Where().WithPath([]string{path}).WithOperator(filters.GreaterThanEqual).WithValueInt(int64(lo)),
		filters.Where().WithPath([]string{path}).WithOperator(filters.LessThanEqual).WithValueInt(int64(hi)))
}

func and(ws ...*filters.WhereBuilder) *filters.WhereBuilder {
	return filters.Where().WithOperator(filters.And).WithOperands(ws)
}

func boolEq(path string, v bool) *filters.WhereBuilder {
	return filters.Where().WithPath([]string{path}).WithOperator(filters.Equal).WithValueBoolean(v)
}

func levenshtein(a, b string) int { return lev.ComputeDistance(a, b) }
