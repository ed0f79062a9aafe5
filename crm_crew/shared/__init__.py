"""State that workers on many machines share through one Redis: CRM lookup cache, record locks, rate limits.

client.py opens and guards the Redis connection; state.py links a process to it. Nothing here imports redis-py
until a process actually shares state.
"""
