"""Infrastructure every feature leans on: the clock, the heartbeat, request pacing, private
answers to interactions."""
