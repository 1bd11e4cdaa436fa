x = 1
y = x + nothing_here
