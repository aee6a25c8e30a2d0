#!/bin/sh
# builds the stand-in
cc -c src/pool.c
