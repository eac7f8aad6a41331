"""Audio Tài Lộc: the audio-equipment shop's glue over the commerce core."""
