"""Approved platforms (PA): the AFNOR XP Z12-013 Flow and Directory APIs, and transmissions."""
