"""Files in, files out: jobs that read scenarios and data, call the stages and write outputs."""
