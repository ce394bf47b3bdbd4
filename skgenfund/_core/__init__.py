"""Shared core of skgenfund: input validation, Gaussian maths, log-sum-exp.

Every topic subpackage imports from here; none re-implements what is here.
"""
