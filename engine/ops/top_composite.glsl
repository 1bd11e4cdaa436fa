#version 330 core
// compositeTOP: folds its COUNT inputs (1 to 8) left to right with
// OPERAND, a = what is composed so far, b = the next input. Colours are
// premultiplied. Input i has the output's size where bit i of EXACT is
// set, and is read texel by texel; the others are stretched over the
// output. SCALE: an
// average's last pass, multiplied by uScale (1 / n).
in vec2 vUV;
uniform sampler2D uInputs[8];
uniform float uScale;
out vec4 fragColor;

vec4 blend(vec4 a, vec4 b) {
#if OPERAND == 0
    return a + b * (1.0 - a.a);  // over
#elif OPERAND == 1
    return b + a * (1.0 - b.a);  // under
#elif OPERAND == 3
    return a - b;                // subtract
#elif OPERAND == 4
    return a * b;                // multiply
#elif OPERAND == 5
    return a + b - a * b;        // screen
#elif OPERAND == 6
    return abs(a - b);           // difference
#elif OPERAND == 7
    return max(a, b);            // maximum
#elif OPERAND == 8
    return min(a, b);            // minimum
#else
    return a + b;                // add; average: the sum
#endif
}

#define INPUT(i) (((EXACT >> i) & 1) != 0 ? TEXEL(uInputs[i]) \
                                          : texture(uInputs[i], vUV))

void main() {
    vec4 c = INPUT(0);
#if COUNT > 1
    c = blend(c, INPUT(1));
#endif
#if COUNT > 2
    c = blend(c, INPUT(2));
#endif
#if COUNT > 3
    c = blend(c, INPUT(3));
#endif
#if COUNT > 4
    c = blend(c, INPUT(4));
#endif
#if COUNT > 5
    c = blend(c, INPUT(5));
#endif
#if COUNT > 6
    c = blend(c, INPUT(6));
#endif
#if COUNT > 7
    c = blend(c, INPUT(7));
#endif
#ifdef SCALE
    c *= uScale;
#endif
    fragColor = c;
}
