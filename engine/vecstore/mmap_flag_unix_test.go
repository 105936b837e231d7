//go:build unix

package vecstore

const mapSupported = true
