package io.sparksr.jobs.evaluate;

import java.io.Serializable;

/** What a row of summary.csv is a mean over: the images of one data set, scale, model, setting. */
public record SummaryKey(String dataset, int scale, String model, String setting)
    implements Serializable {}
