//go:build purego

package vecstore

const purego = true
