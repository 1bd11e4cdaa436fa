#version 330 core
// compositeTOP: folds its inputs left to right, a = what is composed so
// far, b = the next input. Colours are premultiplied.
in vec2 vUV;
uniform sampler2D uInputs[8];
uniform int uCount, uOperand;
uniform float uScale; // 1, or 1/n to finish an average
out vec4 fragColor;

vec4 blend(vec4 a, vec4 b) {
    if (uOperand == 0) return a + b * (1.0 - a.a);          // over
    if (uOperand == 1) return b + a * (1.0 - b.a);          // under
    if (uOperand == 2) return a + b;                        // add
    if (uOperand == 3) return a - b;                        // subtract
    if (uOperand == 4) return a * b;                        // multiply
    if (uOperand == 5) return a + b - a * b;                // screen
    if (uOperand == 6) return abs(a - b);                   // difference
    if (uOperand == 7) return max(a, b);                    // maximum
    if (uOperand == 8) return min(a, b);                    // minimum
    return a + b;                                           // average: sum
}

vec4 input_at(int i) {
    // Sampler arrays take constant indices in GLSL 3.30.
    if (i == 0) return texture(uInputs[0], vUV);
    if (i == 1) return texture(uInputs[1], vUV);
    if (i == 2) return texture(uInputs[2], vUV);
    if (i == 3) return texture(uInputs[3], vUV);
    if (i == 4) return texture(uInputs[4], vUV);
    if (i == 5) return texture(uInputs[5], vUV);
    if (i == 6) return texture(uInputs[6], vUV);
    return texture(uInputs[7], vUV);
}

void main() {
    vec4 c = input_at(0);
    for (int i = 1; i < uCount; i++)
        c = blend(c, input_at(i));
    fragColor = c * uScale;
}
