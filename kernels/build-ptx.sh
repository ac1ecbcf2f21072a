#!/usr/bin/env bash
echo "kernels: nothing yet"
