#!/usr/bin/env bash
echo "native: nothing yet"
