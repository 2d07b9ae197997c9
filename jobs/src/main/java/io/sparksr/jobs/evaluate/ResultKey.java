package io.sparksr.jobs.evaluate;

import java.io.Serializable;

/** What identifies a row of results.parquet: one image, scale, model and setting. */
public record ResultKey(String dataset, String image, int scale, String model, String setting)
    implements Serializable {}
