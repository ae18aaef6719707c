"""The Arabic and Kurdish development set (authored here) and its build script."""
