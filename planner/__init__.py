"""planner: forecast contact-centre call volumes, staff them with Erlang C/A, roster them with an IP."""

__version__ = "0.1.0"
