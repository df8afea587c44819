#!/bin/sh
# Writes a C file defining `const char NAME[]` (NUL-terminated) and
# `const size_t NAME_len` with the bytes of FILE, so that the program carries
# its schema and needs no data file at run time.
# Usage: embed.sh NAME FILE > OUT.c
set -eu
name=$1
file=$2
echo "#include <stddef.h>"
echo "const char ${name}[] = {"
od -An -v -tx1 "$file" | sed -e 's/ *$//' -e 's/^ */0x/' -e 's/  */,0x/g' -e 's/$/,/'
echo "0x00};"
echo "const size_t ${name}_len = sizeof ${name} - 1;"
