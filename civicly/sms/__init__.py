"""SMS: the short texts sent to citizens' phones, the providers that carry them, and the worker's sending round."""
