"""ember.nn.utils"""
