#pragma once
// The activations, activation.cl's text as device functions.
#include "layout.cuh"
#include "dialect.cl"
#include "activation.cl"
