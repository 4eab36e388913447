"""Files in, files out: jobs that read inputs, call the stages and write outputs."""
