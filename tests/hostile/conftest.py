"""The hostile scenario's tests: tests/helpers on sys.path (its run_playbook and friends), and hostile.py beside."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "..", "helpers"), HERE]
