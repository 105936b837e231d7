//go:build unix && !linux

package vecstore

const mapPopulate = 0
