module 0relview/earlyenv

go 1.26
