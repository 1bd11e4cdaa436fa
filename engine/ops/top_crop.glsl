#version 330 core
// cropTOP: the output shows the input's rectangle uMin..uMax (0..1).
in vec2 vUV;
uniform sampler2D uInput;
uniform vec2 uMin, uMax;
out vec4 fragColor;
void main() {
    fragColor = texture(uInput, mix(uMin, uMax, vUV));
}
