/* adis-loader-shard.h: one rank's rows of every batch, for data-parallel
 * training (adis-distributed.h)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "adis-dataset.h"

G_BEGIN_DECLS

/* A loader whose batch k is rows shard_index * n .. (shard_index + 1) * n - 1
 * (n = batch_size / shard_count) of the batch k that adis_loader_new's
 * loader gives for the same options: the whole batch is drawn from the
 * seed, and only the shard's rows are decoded. batch_size must be a
 * multiple of shard_count (ADIS_ERROR_INVALID_INPUT otherwise). The
 * batch's index and frame arrays hold the shard's rows. */
AdisLoader   *adis_loader_new_shard         (AdisDataset             *dataset,
                                             const AdisLoaderOptions *options,
                                             int                      shard_index,
                                             int                      shard_count,
                                             GError                 **error);

G_END_DECLS
