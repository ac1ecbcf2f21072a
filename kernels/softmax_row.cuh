#pragma once
// A row's softmax, softmax_row.cl's text as device functions.
#include "dialect.cl"
#include "softmax_row.cl"
